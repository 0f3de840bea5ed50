/**
 * Training-step benchmark.
 *
 *   npx ts-node bench/train.ts
 *
 * 1. A full training step of the 784-256-256-10 ReLU MLP built with nn.mlp (batch 128, float32):
 *    forward, cross-entropy, backward, Adam step, in ms, with the forward / backward / step
 *    split, and the same step with ReLU's backward set to 'sigmoid' (the artificial rule should
 *    cost what the exact one costs).
 * 2. One optimizer step over 1 M float32 parameters (Adam, AdamW with amsgrad, SGD, SGD with
 *    Nesterov momentum), in ms, each with its ratio to the same arithmetic written as a bare
 *    loop over the typed arrays in this file (the floor a fused update can reach).
 *
 * Every number is the median of REPS timed samples after a warm-up.
 */
import { Generator, nn, optim, randn, tensor, type Tensor } from '../src/index';

const WARMUP_MS = 400;
const REPS = 15;

/** Median ms per call of `run`, after warming up. */
function measure(run: () => void, minSampleMs = 5): number {
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

export interface TrainStepResult {
  label: string;
  stepMs: number;
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
}

export interface OptimizerStepResult {
  label: string;
  ms: number;
  bareLoopMs: number;
}

export interface TrainBenchResult {
  trainStep: TrainStepResult[];
  optimizerStep: OptimizerStepResult[];
}

function benchTrainStep(label: string, backward: 'exact' | 'sigmoid'): TrainStepResult {
  const gen = new Generator(0);
  const model = nn.mlp([784, 256, 256, 10], { activation: 'relu', backward, generator: gen });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const criterion = new nn.CrossEntropyLoss();
  const x = randn([128, 784], { generator: gen });
  const labels = tensor(Array.from({ length: 128 }, () => gen.int(10)));

  const step = (): void => {
    opt.zeroGrad();
    criterion.forward(model.forward(x), labels).backward();
    opt.step();
  };
  const stepMs = measure(step);
  // the split: forward (to the loss) and backward timed separately in the same loop
  const fwdSamples: number[] = [];
  const bwdSamples: number[] = [];
  for (let r = 0; r < REPS; r++) {
    opt.zeroGrad();
    const t0 = performance.now();
    const loss = criterion.forward(model.forward(x), labels);
    const t1 = performance.now();
    loss.backward();
    const t2 = performance.now();
    fwdSamples.push(t1 - t0);
    bwdSamples.push(t2 - t1);
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const optimizerMs = measure(() => opt.step());
  return { label, stepMs, forwardMs: median(fwdSamples), backwardMs: median(bwdSamples), optimizerMs };
}

const N = 1_000_000;

function gradedParameter(): Tensor {
  const gen = new Generator(1);
  const p = randn([N], { generator: gen, requiresGrad: true });
  p.grad = randn([N], { generator: gen });
  return p;
}

/** Adam's update as a bare loop: what a fused step costs with no library around it. */
function bareAdam(amsgrad: boolean): () => void {
  const p = new Float32Array(N).fill(0.5);
  const g = new Float32Array(N).fill(0.1);
  const m = new Float32Array(N);
  const v = new Float32Array(N);
  const vmax = new Float32Array(N);
  let t = 0;
  return () => {
    t++;
    const lr = 1e-3;
    const b1 = 0.9;
    const b2 = 0.999;
    const stepSize = lr / (1 - b1 ** t);
    const inv = 1 / Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < N; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + (1 - b1) * gi;
      let vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      if (amsgrad) {
        vi = vmax[i] > vi ? vmax[i] : vi;
        vmax[i] = vi;
      }
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) * inv + 1e-8);
    }
  };
}

function bareSgd(momentum: number): () => void {
  const p = new Float32Array(N).fill(0.5);
  const g = new Float32Array(N).fill(0.1);
  const b = new Float32Array(N);
  return () => {
    const lr = 1e-3;
    if (momentum === 0) {
      for (let i = 0; i < N; i++) p[i] -= lr * g[i];
      return;
    }
    for (let i = 0; i < N; i++) {
      const gi = g[i];
      const bi = momentum * b[i] + gi;
      b[i] = bi;
      p[i] -= lr * (gi + momentum * bi);
    }
  };
}

/**
 * The optimizer's step and the bare loop, timed in alternation (so a busy machine slows both
 * alike): median ms of each.
 */
function benchOptimizer(label: string, make: (params: Tensor[]) => { step(): unknown }, bare: () => void): OptimizerStepResult {
  const p = gradedParameter();
  const opt = make([p]);
  const run = (): unknown => opt.step();
  const warmupEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmupEnd) {
    run();
    bare();
  }
  const lib: number[] = [];
  const floor: number[] = [];
  for (let r = 0; r < 2 * REPS; r++) {
    let t0 = performance.now();
    run();
    lib.push(performance.now() - t0);
    t0 = performance.now();
    bare();
    floor.push(performance.now() - t0);
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { label, ms: median(lib), bareLoopMs: median(floor) };
}

/** Run every measurement; returns the numbers (and prints nothing). */
export function benchTrain(): TrainBenchResult {
  const trainStep = [benchTrainStep('exact ReLU backward', 'exact'), benchTrainStep("ReLU with 'sigmoid' backward", 'sigmoid')];
  const optimizerStep = [
    benchOptimizer('Adam', (ps) => new optim.Adam(ps, { lr: 1e-3 }), bareAdam(false)),
    benchOptimizer('AdamW amsgrad', (ps) => new optim.AdamW(ps, { lr: 1e-3, amsgrad: true }), bareAdam(true)),
    benchOptimizer('SGD', (ps) => new optim.SGD(ps, { lr: 1e-3 }), bareSgd(0)),
    benchOptimizer('SGD nesterov 0.9', (ps) => new optim.SGD(ps, { lr: 1e-3, momentum: 0.9, nesterov: true }), bareSgd(0.9)),
  ];
  return { trainStep, optimizerStep };
}

function main(): void {
  const r = benchTrain();
  console.log('Training step, 784-256-256-10 ReLU MLP (nn.mlp), batch 128, float32, Adam');
  console.log('  rule                              step ms   forward   backward  Adam step');
  for (const s of r.trainStep) {
    console.log(
      `  ${s.label.padEnd(32)} ${s.stepMs.toFixed(2).padStart(8)} ${s.forwardMs.toFixed(2).padStart(9)} ${s.backwardMs
        .toFixed(2)
        .padStart(10)} ${s.optimizerMs.toFixed(3).padStart(10)}`,
    );
  }
  const [exact, sigmoid] = r.trainStep;
  console.log(`  sigmoid-backward step / exact step: ${(sigmoid.stepMs / exact.stepMs).toFixed(2)}`);
  console.log('');
  console.log('Optimizer step over 1 M float32 parameters');
  console.log('  optimizer            ms/step   bare loop ms   ratio');
  for (const o of r.optimizerStep) {
    console.log(`  ${o.label.padEnd(18)} ${o.ms.toFixed(3).padStart(9)} ${o.bareLoopMs.toFixed(3).padStart(14)} ${(o.ms / o.bareLoopMs).toFixed(2).padStart(7)}`);
  }
}

if (require.main === module) main();
