import { Generator } from '../src';
import { interleaved } from './util';
import { lenetStepForProfile } from './conv';
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const step = lenetStepForProfile(new Generator(2));
const secs = Number(process.argv[2] ?? '0');
if (secs > 0) { const t = Date.now(); let n = 0; while (Date.now() - t < secs * 1000) { step(); n++; } console.log('steps', n); }
else {
const [cpuMs] = interleaved([step], { reps: 9, minMs: 200, warmupMs: 1500, clock: cpu });
const [wallMs] = interleaved([step], { reps: 9, minMs: 200, warmupMs: 300 });
console.log(`LeNet step: cpu ${cpuMs.toFixed(2)} ms, wall ${wallMs.toFixed(2)} ms`);
}
