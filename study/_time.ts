import { planStudy } from './plan';
import { runTrial } from './trial';
const plan = planStudy('full');
for (const key of process.argv.slice(2)) {
  const spec = plan.find((t) => t.key === key)!;
  const c0 = process.cpuUsage();
  const r = runTrial(spec);
  const c = process.cpuUsage(c0);
  console.log(key, r.seconds.toFixed(1), 's wall', ((c.user + c.system) / 1e6).toFixed(1), 's cpu', r.rows.map((x) => `${x.label}:${x.finalAccuracy}@${x.bestEpoch}/${x.accuracy.length}${x.stop[0]}`).join(' '));
}
