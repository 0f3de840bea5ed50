// All benchmarks, each in a fresh process so one's JIT and heap state do not colour the next.
// Every number is printed next to a reference measured in the same run (a naive kernel, a bare
// typed-array loop, TensorFlow.js's CPU backend, or the exact rule); compare.ts runs issue 11's
// workloads against TF.js's wasm backend and jax-js's wasm device. Run: npm run bench
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SCRIPTS = ['matmul.ts', 'mlp.ts', 'activations.ts', 'train.ts', 'compare.ts'];

let failed = 0;
for (const script of SCRIPTS) {
  console.log(`\n=== bench/${script}`);
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(__dirname, script)], {
    stdio: 'inherit',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
