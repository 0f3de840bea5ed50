/**
 * Memory at full count (issue 11): 10 000 training steps and, separately, 10 000 evaluation
 * forwards with parameters that require grad, outside noGrad, each in one synchronous loop (the
 * event loop never turns, so no finalizer could help). Prints heapUsed and ArrayBuffer memory
 * after a forced full GC, and RSS, at step 2 000 and at step 10 000, and the growth between them
 * (target < 5 MiB), with RSS every 2 000 steps.
 *
 *   npx ts-node bench/memory.ts [steps=10000] [model=deep|mlp]
 *
 * model 'deep' (default): 12 × (Linear 64→64 + Sigmoid), batch 32, SGD;
 * model 'mlp': 784-256-256-10 ReLU, batch 128, Adam (slower: ~10 ms a step).
 * The GC is V8's, exposed to this process with v8.setFlagsFromString('--expose-gc').
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Generator, nn, optim, randn, tensor, type Tensor } from '../src/index';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;

interface Sample {
  heap: number;
  rss: number;
  /** Memory of ArrayBuffers (typed arrays' storage lives outside the V8 heap). */
  buffers: number;
}

/**
 * RSS as the loop runs (read before the forced GC: a full GC gives pages back that the next steps
 * take again, which would show as growth that is not there), heap and array buffers after it.
 */
function sample(): Sample {
  const rss = process.memoryUsage().rss;
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss, buffers: m.arrayBuffers };
}

interface Setup {
  model: nn.Module;
  opt: { zeroGrad(): void; step(): unknown };
  x: Tensor;
  loss: (out: Tensor) => Tensor;
}

function setup(kind: string): Setup {
  const gen = new Generator(0);
  if (kind === 'mlp') {
    const model = nn.mlp([784, 256, 256, 10], { activation: 'relu', generator: gen });
    const labels = tensor(Array.from({ length: 128 }, () => gen.int(10)));
    return { model, opt: new optim.Adam(model.parameters(), { lr: 1e-3 }), x: randn([128, 784], { generator: gen }), loss: (o) => o.crossEntropy(labels) };
  }
  const layers: nn.Module[] = [];
  for (let i = 0; i < 12; i++) layers.push(new nn.Linear(64, 64, { generator: gen }), new nn.Sigmoid());
  const model = new nn.Sequential(...layers);
  const target = randn([32, 64], { generator: gen });
  return { model, opt: new optim.SGD(model.parameters(), { lr: 1e-2 }), x: randn([32, 64], { generator: gen }), loss: (o) => o.mseLoss(target) };
}

function run(label: string, steps: number, step: () => void): void {
  const from = Math.min(2000, Math.floor(steps / 5));
  let atFrom: Sample = { heap: 0, rss: 0, buffers: 0 };
  const rssTrail: string[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    step();
    if (i === from) atFrom = sample();
    if (i % 2000 === 0) rssTrail.push((process.memoryUsage().rss / MiB).toFixed(1));
  }
  const atEnd = sample();
  const ms = (performance.now() - t0) / steps;
  const f = (b: number): string => `${(b / MiB).toFixed(2)} MiB`;
  console.log(
    `${label.padEnd(34)} heap ${f(atFrom.heap)} → ${f(atEnd.heap)} (${f(atEnd.heap - atFrom.heap)}),  ` +
      `array buffers ${f(atFrom.buffers)} → ${f(atEnd.buffers)} (${f(atEnd.buffers - atFrom.buffers)}),  ` +
      `RSS ${f(atFrom.rss)} → ${f(atEnd.rss)} (${f(atEnd.rss - atFrom.rss)}),  steps ${from}→${steps}, ${ms.toFixed(2)} ms/step`,
  );
  console.log(`${''.padEnd(34)} RSS every 2 000 steps (MiB): ${rssTrail.join(', ')}`);
}

function main(): void {
  const steps = Number(process.argv[2] ?? 10_000);
  const kind = process.argv[3] ?? 'deep';
  console.log(`model '${kind}', ${steps} steps per loop, one synchronous loop each, heap/RSS after a forced GC`);
  const train = setup(kind);
  run('training steps', steps, () => {
    train.opt.zeroGrad();
    train.loss(train.model.forward(train.x)).backward();
    train.opt.step();
  });
  const evaluation = setup(kind);
  let sink = 0;
  run('evaluation forwards outside noGrad', steps, () => {
    const out = evaluation.model.forward(evaluation.x);
    sink += out.toTypedArray()[0];
  });
  if (!Number.isFinite(sink)) console.log('(non-finite output)');
}

main();
