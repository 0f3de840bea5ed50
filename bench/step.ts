/**
 * Issue 11's two training-step workloads, in ms per step (median of timed samples):
 *   1. MLP 784-256-256-10 (nn.mlp, ReLU), batch 128, float32, cross-entropy, Adam step;
 *   2. 12 × (Linear 64→64 + Sigmoid), batch 32, float32, MSE loss, SGD step.
 * Each step is zeroGrad → forward → loss → backward → step, as a user writes it.
 *
 *   npx ts-node bench/step.ts
 *
 * To compare with an older commit, copy this file into a worktree of that commit and run it
 * there in the same shell, back to back (the machine is shared: run both twice).
 */
import { Generator, nn, optim, randn, tensor } from '../src/index';

const WARMUP_MS = 800;
const REPS = 21;

function measure(run: () => void, minSampleMs = 20): number {
  const warmupEnd = performance.now() + WARMUP_MS;
  let calls = 0;
  const start = performance.now();
  while (performance.now() < warmupEnd || calls < 3) {
    run();
    calls++;
  }
  const perCall = (performance.now() - start) / calls;
  const inner = Math.max(1, Math.ceil(minSampleMs / perCall));
  const samples: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) run();
    samples.push((performance.now() - t0) / inner);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Workload 1: the MLP Adam step. */
export function mlpAdamStep(): () => void {
  const gen = new Generator(0);
  const model = nn.mlp([784, 256, 256, 10], { activation: 'relu', generator: gen });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const criterion = new nn.CrossEntropyLoss();
  const x = randn([128, 784], { generator: gen });
  const labels = tensor(Array.from({ length: 128 }, () => gen.int(10)));
  return () => {
    opt.zeroGrad();
    criterion.forward(model.forward(x), labels).backward();
    opt.step();
  };
}

/** Workload 2: twelve 64→64 sigmoid layers, SGD. */
export function deepSigmoidSgdStep(): () => void {
  const gen = new Generator(0);
  const layers: nn.Module[] = [];
  for (let i = 0; i < 12; i++) layers.push(new nn.Linear(64, 64, { generator: gen }), new nn.Sigmoid());
  const model = new nn.Sequential(...layers);
  const opt = new optim.SGD(model.parameters(), { lr: 1e-2 });
  const criterion = new nn.MSELoss();
  const x = randn([32, 64], { generator: gen });
  const target = randn([32, 64], { generator: gen });
  return () => {
    opt.zeroGrad();
    criterion.forward(model.forward(x), target).backward();
    opt.step();
  };
}

function main(): void {
  const which = process.argv[2] ?? 'both';
  if (which === 'both' || which === 'mlp') {
    console.log(`MLP 784-256-256-10 batch 128 Adam step:        ${measure(mlpAdamStep()).toFixed(3)} ms`);
  }
  if (which === 'both' || which === 'deep') {
    console.log(`12 × (64→64 + sigmoid) batch 32 SGD step:      ${measure(deepSigmoidSgdStep()).toFixed(3)} ms`);
  }
  if (which === 'loop') {
    // for `node --cpu-prof`: run one workload for a fixed number of steps
    const step = process.argv[3] === 'mlp' ? mlpAdamStep() : deepSigmoidSgdStep();
    const n = Number(process.argv[4] ?? 2000);
    for (let i = 0; i < n; i++) step();
  }
}

if (require.main === module) main();
