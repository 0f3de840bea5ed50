// Issue 9's speed target: one training step of the spiking MNIST experiment — 784-1000-10 LIF,
// β 0.95, 25 time steps unrolled, batch 128, the image as a constant current, CE of the output
// spike counts, atan surrogate, detached subtractive reset, Adam 5e-4 — next to TensorFlow.js
// running the same unrolled network (the spike as tf.customGrad with the same surrogate), in the
// same run. TF.js's WebAssembly backend is used when it loads, else its CPU backend.
//
// Second: evaluation (noGrad) of the same network on 500 digits, with the LIF time loops keeping
// every step's membrane (what run() did before it could update in place; still what
// `{ membranes: true }` does) vs updating one membrane buffer in place (`{ membranes: false }`):
// CPU ms per call, measured interleaved in the same run, and the typed-array bytes each call
// allocates (counted by a Float32Array subclass installed around one call).
//
// Third: one training iteration of the spiking toy task (experiment 2: 100 Poisson inputs at 5 Hz,
// 200 steps, batch 256, 4 hidden LIF units, 2 leaky readouts, max over time, CE, Adam) three ways,
// CPU ms per iteration in the same run: what the experiment runs (the input as events,
// `snn.eventLinear`; the hidden spikes from one op, LIF.forward; the readout's product from the
// spikes that fired, `snn.spikeLinear`; the readout's largest membrane in one op,
// LIF.maxMembrane), and two references measured interleaved: step by step with dense Linears (T
// membrane and heaviside records per layer, the [T, ...] input split by recursive halving), and the
// experiment as session 4 left it (events, the fused membranes op + one heaviside, a dense Linear,
// max(x, 0)).
// Run: npx ts-node bench/snn.ts (or with --toy for the third part only)
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Generator, crossEntropy, max, nn, noGrad, optim, snn, stack, tensor, type Tensor } from '../src';
import { splitSteps } from '../src/snn/neuron';
import * as experiment from '../src/node/spiking';
import { interleaved, table } from './util';
import { interleavedCpu } from './cpu-time';

const IN = 784;
const HIDDEN = 1000;
const OUT = 10;
const STEPS = 25;
const BATCH = 128;
const BETA = 0.95;
const LR = 5e-4;

function makeData(gen: Generator): { x: Float32Array; labels: number[] } {
  const x = new Float32Array(BATCH * IN);
  for (let i = 0; i < x.length; i++) x[i] = gen.uniform() < 0.2 ? gen.uniform() : 0; // MNIST-like sparsity
  return { x, labels: Array.from({ length: BATCH }, () => gen.int(10)) };
}

function surrogradStep(data: { x: Float32Array; labels: number[] }): () => void {
  const model = new experiment.SpikingMLP(IN, HIDDEN, OUT, { beta: BETA, steps: STEPS, backward: 'atan', generator: new Generator(3) });
  const optimizer = new optim.Adam(model.parameters(), { lr: LR });
  const x = tensor(data.x, { shape: [BATCH, IN] });
  return () => {
    experiment.spikingMnistStep(model, optimizer, x, data.labels, 'count');
  };
}

function tfjsStep(data: { x: Float32Array; labels: number[] }): () => void {
  const gen = new Generator(3);
  const uniform = (n: number, bound: number): Float32Array => Float32Array.from({ length: n }, () => (2 * gen.uniform() - 1) * bound);
  const w1 = tf.variable(tf.tensor2d(uniform(IN * HIDDEN, 1 / Math.sqrt(IN)), [IN, HIDDEN]));
  const b1 = tf.variable(tf.tensor1d(uniform(HIDDEN, 1 / Math.sqrt(IN))));
  const w2 = tf.variable(tf.tensor2d(uniform(HIDDEN * OUT, 1 / Math.sqrt(HIDDEN)), [HIDDEN, OUT]));
  const b2 = tf.variable(tf.tensor1d(uniform(OUT, 1 / Math.sqrt(HIDDEN))));
  const x = tf.tensor2d(data.x, [BATCH, IN]);
  const onehot = tf.oneHot(tf.tensor1d(data.labels, 'int32'), OUT);
  const optimizer = tf.train.adam(LR);
  // the spike: heaviside(u) forward, snnTorch's atan surrogate 1 / (1 + (πu)²) backward
  const spike = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const u = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([u]);
    return {
      value: tf.cast(tf.greater(u, 0), 'float32'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.div(dy, tf.add(1, tf.square(tf.mul(saved[0], Math.PI)))),
    };
  }) as Parameters<typeof tf.customGrad>[0]) as (u: tf.Tensor) => tf.Tensor;
  const detach = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as Parameters<typeof tf.customGrad>[0]) as (v: tf.Tensor) => tf.Tensor;
  const lif = (current: tf.Tensor, mem: tf.Tensor, lastSpike: tf.Tensor): [tf.Tensor, tf.Tensor] => {
    const next = tf.sub(tf.add(tf.mul(mem, BETA), current), detach(lastSpike)); // threshold 1
    return [spike(tf.sub(next, 1)), next];
  };
  return () => {
    tf.tidy(() => {
      optimizer.minimize(() => {
        const cur1 = tf.add(tf.matMul(x, w1), b1);
        let mem1: tf.Tensor = tf.zeros([BATCH, HIDDEN]);
        let spk1: tf.Tensor = tf.zeros([BATCH, HIDDEN]);
        let mem2: tf.Tensor = tf.zeros([BATCH, OUT]);
        let spk2: tf.Tensor = tf.zeros([BATCH, OUT]);
        let counts: tf.Tensor = tf.zeros([BATCH, OUT]);
        for (let t = 0; t < STEPS; t++) {
          [spk1, mem1] = lif(cur1, mem1, spk1);
          [spk2, mem2] = lif(tf.add(tf.matMul(spk1, w2), b2), mem2, spk2);
          counts = tf.add(counts, spk2);
        }
        return tf.losses.softmaxCrossEntropy(onehot, counts) as tf.Scalar;
      }, true)?.dataSync();
    });
  };
}

const EVAL_BATCH = 500;

/** Typed-array bytes allocated by one call of `fn` (float32 arrays made from a length or a list; views are not counted). */
function bytesAllocated(fn: () => unknown): number {
  const original = globalThis.Float32Array;
  let bytes = 0;
  class Counting extends original {
    constructor(...args: unknown[]) {
      super(...(args as [number]));
      if (!(args[0] instanceof ArrayBuffer) && !(args[0] instanceof SharedArrayBuffer)) bytes += this.byteLength;
    }
  }
  (globalThis as { Float32Array: unknown }).Float32Array = Counting;
  try {
    fn();
  } finally {
    (globalThis as { Float32Array: unknown }).Float32Array = original;
  }
  return bytes;
}

/** noGrad evaluation of the experiment-1 network (and of its hidden LIF layer alone), membranes kept or updated in place. */
function evaluation(): void {
  const gen = new Generator(7);
  const model = new experiment.SpikingMLP(IN, HIDDEN, OUT, { beta: BETA, steps: STEPS, backward: 'atan', generator: gen });
  const x = new Float32Array(EVAL_BATCH * IN);
  for (let i = 0; i < x.length; i++) x[i] = gen.uniform() < 0.2 ? gen.uniform() : 0;
  const images = tensor(x, { shape: [EVAL_BATCH, IN] });
  const current = noGrad(() => model.fc1.forward(images).mul(3)); // a current that makes the hidden layer fire
  const steps = new Array<Tensor>(STEPS).fill(current);
  const net = (membranes: boolean) => (): unknown =>
    noGrad(() => {
      const hidden = model.lif1.run(new Array<Tensor>(STEPS).fill(model.fc1.forward(images)), undefined, { membranes });
      return model.lif2.run(model.fc2.forward(stack(hidden.spikes, 0)), undefined, { membranes });
    });
  const layer = (membranes: boolean) => (): unknown => noGrad(() => model.lif1.run(steps, undefined, { membranes }));
  const contenders = [layer(true), layer(false), net(true), net(false)];
  const bytes = contenders.map(bytesAllocated);
  const ms = interleavedCpu(contenders, { reps: 7, minMs: 200, warmupMs: 1000 });
  const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
  console.log(`\nEvaluation under noGrad: batch ${EVAL_BATCH}, ${STEPS} steps, float32 (CPU ms, interleaved; MiB of typed arrays allocated per call)`);
  console.log(
    table(
      ['what', 'membranes kept: ms', 'in place: ms', 'kept / in place', 'kept: MiB', 'in place: MiB'],
      [
        [`hidden LIF layer alone (${HIDDEN} neurons)`, ms[0].toFixed(1), ms[1].toFixed(1), (ms[0] / ms[1]).toFixed(2), mb(bytes[0]), mb(bytes[1])],
        [`whole ${IN}-${HIDDEN}-${OUT} network`, ms[2].toFixed(1), ms[3].toFixed(1), (ms[2] / ms[3]).toFixed(2), mb(bytes[2]), mb(bytes[3])],
      ],
    ),
  );
}

/** The toy task's network and one training iteration, in one of three forms. */
function toyIteration(form: 'steps' | 'fused' | 'events'): () => void {
  const T = 200;
  const N = 256;
  const F = 100;
  const gen = new Generator(5);
  const spikes = new Float32Array(T * N * F);
  for (let i = 0; i < spikes.length; i++) spikes[i] = gen.uniform() < 0.005 ? 1 : 0;
  const x = tensor(spikes, { shape: [T, N, F] });
  const events = snn.SpikeEvents.from(x);
  const labels = Array.from({ length: N }, () => (gen.uniform() < 0.5 ? 0 : 1));
  const beta = Math.exp(-1 / 10);
  const w1 = new nn.Linear(F, 4, { bias: false, generator: gen });
  const w2 = new nn.Linear(4, 2, { bias: false, generator: gen });
  // the experiment's initialisation (SpyTorch's scales, see src/node/spiking.ts): the hidden units fire ~1.5 % of steps
  const scale = 7 * (1 - beta);
  nn.init.normal(w1.weight, 0, (scale / (1 - Math.exp(-1 / 5))) / Math.sqrt(F), { generator: gen });
  nn.init.normal(w2.weight, 0, scale / Math.sqrt(4), { generator: gen });
  const hidden = new snn.LIF({ beta, reset: 'zero', backward: 'atan' });
  const readout = new snn.LIF({ beta, reset: 'none', output: 'membrane', threshold: 1e9 });
  const optimizer = new optim.Adam([w1.weight, w2.weight], { lr: 2e-3 });
  const forward = (): Tensor => {
    if (form === 'steps') {
      const h = hidden.run(splitSteps(w1.forward(x)));
      const out = readout.run(splitSteps(w2.forward(stack(h.spikes, 0))));
      return max(stack(out.membranes, 0), 0);
    }
    if (form === 'fused') {
      // the experiment at the start of session 5: input events, the fused membranes op and a
      // heaviside over them, a dense Linear, the readout's membranes, max(x, 0)
      const spk = hidden.runSequence(snn.eventLinear(events, w1.weight)).spikes;
      const membranes = readout.forward(w2.forward(spk));
      return max(membranes.reshape([T, N * 2]), 0).reshape([N, 2]);
    }
    // what the experiment runs now: input events, the hidden spikes from one op, the readout's
    // product from the spikes that fired, the readout's largest membrane in one op
    const spk = hidden.forward(snn.eventLinear(events, w1.weight));
    return readout.maxMembrane(snn.spikeLinear(spk, w2.weight));
  };
  return () => {
    optimizer.zeroGrad();
    crossEntropy(forward(), labels).backward();
    optimizer.step();
  };
}

function toyTask(): void {
  // the experiment's form first, alone: interleaved with the step-by-step form it would be charged
  // for collecting that form's garbage (~20 % more); then the two references, interleaved
  const [ours] = interleavedCpu([toyIteration('events')], { reps: 7, minMs: 100, warmupMs: 1000, stat: 'min' });
  const [steps, fused] = interleavedCpu([toyIteration('steps'), toyIteration('fused')], { reps: 7, minMs: 100, warmupMs: 1000, stat: 'min' });
  console.log('\nSpiking toy task, one training iteration: 200 steps, batch 256, 100 → 4 LIF → 2 readouts (CPU ms, fastest of 7)');
  console.log(
    table(
      ['what', 'ms per iteration', 'this / experiment', 's per 1000 iterations'],
      [
        ['step by step (T records per layer), dense Linears, max', steps.toFixed(1), (steps / ours).toFixed(2), steps.toFixed(1)],
        ['events in, fused membranes + heaviside, dense Linear, max (session 4)', fused.toFixed(1), (fused / ours).toFixed(2), fused.toFixed(1)],
        ['events in, spike op, spikeLinear, maxMembrane (the experiment)', ours.toFixed(2), '1.00', ours.toFixed(2)],
      ],
    ),
  );
}

async function pickBackend(): Promise<string> {
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (p: string) => void };
    wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return 'wasm';
    }
  } catch {
    // fall through to cpu
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

export async function benchSnn(): Promise<void> {
  const backend = await pickBackend();
  const data = makeData(new Generator(1));
  const ours = surrogradStep(data);
  const theirs = tfjsStep(data);
  const [msOurs, msTf] = interleaved([ours, theirs], { reps: 5, minMs: 1, warmupMs: 4000 });
  console.log(`Spiking MNIST training step: 784-1000-10 LIF, ${STEPS} steps unrolled, batch ${BATCH}, atan surrogate, Adam (float32)`);
  console.log(
    table(
      ['what', 'surrograd', `TF.js ${backend}`, `TF.js / surrograd`],
      [['ms per training step', msOurs.toFixed(1), msTf.toFixed(1), (msTf / msOurs).toFixed(2)]],
    ),
  );
  evaluation();
  toyTask();
}

if (require.main === module) {
  // `--toy`: only the toy-task iteration
  (process.argv.includes('--toy') ? Promise.resolve().then(toyTask) : benchSnn()).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
