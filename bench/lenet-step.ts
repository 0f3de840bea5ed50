// The LeNet training step of bench/conv.ts alone (batch 64, Adam, float32), in CPU and wall ms.
//
//   npx ts-node bench/lenet-step.ts            CPU and wall ms per step
//   npx ts-node bench/lenet-step.ts 10         steps for 10 s (for node --cpu-prof)
//   npx ts-node bench/lenet-step.ts --im2col   also the same step with the direct convolution
//                                              kernels off (every conv on im2col + gemm),
//                                              interleaved in the same run, and the ratio
import { Generator } from '../src';
import { setConvDirect } from '../src/nd/wasm';
import { interleaved } from './util';
import { lenetStepForProfile } from './conv';
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const step = lenetStepForProfile(new Generator(2));
const args = process.argv.slice(2);
const secs = Number(args.find((a) => !a.startsWith('--')) ?? '0');
if (secs > 0) { const t = Date.now(); let n = 0; while (Date.now() - t < secs * 1000) { step(); n++; } console.log('steps', n); }
else if (args.includes('--im2col')) {
  const im2col = (): void => {
    const previous = setConvDirect(false);
    try {
      step();
    } finally {
      setConvDirect(previous);
    }
  };
  for (const [name, clock] of [['cpu', cpu], ['wall', undefined]] as const) {
    const [now, old] = interleaved([step, im2col], { reps: 11, minMs: 150, warmupMs: 1500, clock, stat: 'min' });
    console.log(`LeNet step (${name} ms, fastest of 11): ${now.toFixed(2)}; with im2col only ${old.toFixed(2)} (× ${(old / now).toFixed(2)})`);
  }
} else {
const [cpuMs] = interleaved([step], { reps: 9, minMs: 200, warmupMs: 1500, clock: cpu });
const [wallMs] = interleaved([step], { reps: 9, minMs: 200, warmupMs: 300 });
console.log(`LeNet step: cpu ${cpuMs.toFixed(2)} ms, wall ${wallMs.toFixed(2)} ms`);
}
