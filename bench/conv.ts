// Convolution speed, each number next to a reference measured in the same run:
//
// 1. conv2d forward and forward + backward (float32) of three layers — LeNet's two (batch 64,
//    1×28×28 → 6 channels 5×5, and 6×12×12 → 16 channels 5×5) and a 64 → 64 3×3 layer with
//    padding 1 on 32×32 (batch 16) — in GFLOP/s, next to our own gemm on the product the layer
//    amounts to (M = out channels, N = batch·OH·OW, K = in channels·kH·kW; same process,
//    interleaved) and to TF.js's wasm backend running the same convolution forward (NHWC, its
//    native layout; the arithmetic is the same). Target: forward ≥ 60 % of our gemm's GFLOP/s.
// 2. A LeNet training step (conv 1→6 5×5 pad 2, ReLU, max-pool 2, conv 6→16 5×5, ReLU, max-pool
//    2, 400-120-84-10 with ReLU, cross-entropy, Adam; batch 64) in ms, next to TF.js's cpu
//    backend (its wasm backend cannot train a CNN: no Conv2DBackpropFilter kernel) and jax-js
//    (wasm, the whole step — forward, grad and Adam — inside one `jit`). Target: ≤ 10 ms.
//
// FLOPs: a forward is 2·N·Cout·OH·OW·(Cin/groups)·kH·kW; a backward computes the weight gradient
// (the same count) and, except for the first layer whose input needs no gradient, the input
// gradient (the same count again).
//
// Times are process CPU time (process.cpuUsage: user + system, all threads) by default, so that
// other work on the shared machine inflates them less; `--wall` times wall-clock instead.
//
// Run: npx ts-node bench/conv.ts [layers|lenet] [--wall]   (the machine is shared: run it twice, compare ratios)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as jax from '@jax-js/jax';
import { Generator, nn, noGrad, ones, optim, randn, type Tensor } from '../src';
import { conv2d } from '../src/ops';
import { gemm } from '../src/nd';
import { interleaved, now, table } from './util';

const WALL = process.argv.includes('--wall');
/** The benchmark's clock in ms: process CPU time, or wall time with --wall. */
const clock = (): number => {
  if (WALL) return now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const CLOCK_NAME = WALL ? 'wall-clock' : 'CPU-time';

interface Layer {
  name: string;
  n: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  k: number;
  pad: number;
  /** Whether the input needs a gradient (false for a first layer). */
  inputGrad: boolean;
}

const LAYERS: Layer[] = [
  { name: 'LeNet conv1: 64×1×28×28 → 6, 5×5', n: 64, cin: 1, h: 28, w: 28, cout: 6, k: 5, pad: 0, inputGrad: false },
  { name: 'LeNet conv2: 64×6×12×12 → 16, 5×5', n: 64, cin: 6, h: 12, w: 12, cout: 16, k: 5, pad: 0, inputGrad: true },
  { name: '16×64×32×32 → 64, 3×3 pad 1', n: 16, cin: 64, h: 32, w: 32, cout: 64, k: 3, pad: 1, inputGrad: true },
];

function randomArray(length: number, gen: Generator): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < out.length; i++) out[i] = gen.uniform() - 0.5;
  return out;
}

const gflops = (flops: number, ms: number): number => flops / (ms / 1000) / 1e9;

async function benchLayers(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const rows: string[][] = [];
  for (const L of LAYERS) {
    const gen = new Generator(1);
    const oh = L.h + 2 * L.pad - L.k + 1;
    const ow = L.w + 2 * L.pad - L.k + 1;
    const M = L.cout;
    const N = L.n * oh * ow;
    const K = L.cin * L.k * L.k;
    const flops = 2 * M * N * K;

    const x = randn([L.n, L.cin, L.h, L.w], { generator: gen });
    const w = randn([L.cout, L.cin, L.k, L.k], { generator: gen, std: 0.1 });
    const b = randn([L.cout], { generator: gen });
    const xg = x.detach().requiresGrad_(L.inputGrad);
    const wg = w.detach().requiresGrad_();
    const bg = b.detach().requiresGrad_();
    const up = ones([L.n, L.cout, oh, ow]);
    const forward = (): void => {
      noGrad(() => conv2d(x, w, b, { padding: L.pad }));
    };
    const both = (): void => {
      conv2d(xg, wg, bg, { padding: L.pad }).backward(up);
      xg.grad = null;
      wg.grad = null;
      bg.grad = null;
    };
    const A = randomArray(M * K, gen);
    const B = randomArray(K * N, gen);
    const C = new Float32Array(M * N);
    const product = (): void => gemm(false, false, M, N, K, A, 0, K, B, 0, N, C, 0, N, 0);
    const tx = tf.tensor4d(randomArray(L.n * L.h * L.w * L.cin, gen), [L.n, L.h, L.w, L.cin]);
    const tw = tf.tensor4d(randomArray(L.k * L.k * L.cin * L.cout, gen), [L.k, L.k, L.cin, L.cout]);
    const tfForward = (): void => {
      const y = tf.conv2d(tx, tw, 1, L.pad === 0 ? 'valid' : 'same');
      y.dataSync();
      y.dispose();
    };
    const [msF, msFB, msG, msTf] = interleaved([forward, both, product, tfForward], { reps: 7, minMs: 60, warmupMs: 800, clock });
    const backwardFlops = flops * (L.inputGrad ? 2 : 1);
    const gF = gflops(flops, msF);
    const gG = gflops(flops, msG);
    rows.push([
      L.name,
      `${msF.toFixed(2)} ms  ${gF.toFixed(1)}`,
      `${msFB.toFixed(2)} ms  ${gflops(flops + backwardFlops, msFB).toFixed(1)}`,
      `${M}×${N}×${K}  ${gG.toFixed(1)}`,
      `${(gF / gG).toFixed(2)}`,
      `${msTf.toFixed(2)} ms  ${gflops(flops, msTf).toFixed(1)}`,
      `${(gF / gflops(flops, msTf)).toFixed(2)}`,
    ]);
    tx.dispose();
    tw.dispose();
  }
  console.log(`conv2d, float32, GFLOP/s from ${CLOCK_NAME} ms (target: forward ≥ 0.60 of our gemm on the same product)`);
  console.log(table(['layer', 'forward', 'forward + backward', 'our gemm M×N×K', 'fwd / gemm', 'TF.js wasm forward', 'fwd / TF.js'], rows));
}

// ---- LeNet training step ----
const BATCH = 64;

function lenetData(gen: Generator): { x: Float32Array; labels: number[] } {
  const x = randomArray(BATCH * 784, gen);
  const labels = Array.from({ length: BATCH }, () => gen.int(10));
  return { x, labels };
}

function oursStep(data: { x: Float32Array; labels: number[] }): () => void {
  const gen = new Generator(3);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2, generator: gen }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5, { generator: gen }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120, { generator: gen }), new nn.ReLU(),
    new nn.Linear(120, 84, { generator: gen }), new nn.ReLU(),
    new nn.Linear(84, 10, { generator: gen }),
  );
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x: Tensor = randn([BATCH, 1, 28, 28]);
  x.toTypedArray().set(data.x);
  return () => {
    opt.zeroGrad();
    model.forward(x).crossEntropy(data.labels).backward();
    opt.step();
  };
}

function tfStep(data: { x: Float32Array; labels: number[] }): () => void {
  const gen = new Generator(3);
  const param = (shape: number[], fanIn: number): tf.Variable => {
    const bound = 1 / Math.sqrt(fanIn);
    const v = new Float32Array(shape.reduce((p, q) => p * q, 1));
    for (let i = 0; i < v.length; i++) v[i] = (2 * gen.uniform() - 1) * bound;
    return tf.variable(tf.tensor(v, shape));
  };
  const p = {
    w1: param([5, 5, 1, 6], 25), b1: param([6], 25),
    w2: param([5, 5, 6, 16], 150), b2: param([16], 150),
    w3: param([400, 120], 400), b3: param([120], 400),
    w4: param([120, 84], 120), b4: param([84], 120),
    w5: param([84, 10], 84), b5: param([10], 84),
  };
  const x = tf.tensor4d(data.x, [BATCH, 28, 28, 1]);
  const onehot = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10);
  const opt = tf.train.adam(1e-3);
  return () => {
    const cost = opt.minimize(() => {
      let h: tf.Tensor4D = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, p.w1 as tf.Tensor4D, 1, 'same'), p.b1)), 2, 2, 'valid');
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, p.w2 as tf.Tensor4D, 1, 'valid'), p.b2)), 2, 2, 'valid');
      let f: tf.Tensor2D = tf.reshape(h, [BATCH, 400]);
      f = tf.relu(tf.add(tf.matMul(f, p.w3), p.b3));
      f = tf.relu(tf.add(tf.matMul(f, p.w4), p.b4));
      f = tf.add(tf.matMul(f, p.w5), p.b5);
      return tf.losses.softmaxCrossEntropy(onehot, f) as tf.Scalar;
    }, true);
    cost?.dataSync();
    cost?.dispose();
  };
}

/** jax-js: the whole step (forward, grad, Adam) in one jit; null when jax-js cannot be loaded. */
async function jaxStep(data: { x: Float32Array; labels: number[] }): Promise<(() => Promise<void>) | null> {
  try {
    await jax.init('wasm');
    jax.defaultDevice('wasm');
  } catch (e) {
    console.log(`jax-js unavailable: ${(e as Error).message}`);
    return null;
  }
  const { numpy: np, nn: jnn, lax } = jax;
  type P = { [k: string]: InstanceType<typeof np.Array> };
  const gen = new Generator(3);
  const param = (shape: number[], fanIn: number): InstanceType<typeof np.Array> => {
    const bound = 1 / Math.sqrt(fanIn);
    const v = new Float32Array(shape.reduce((p, q) => p * q, 1));
    for (let i = 0; i < v.length; i++) v[i] = (2 * gen.uniform() - 1) * bound;
    return np.array(v).reshape(shape);
  };
  let params: P = {
    w1: param([6, 1, 5, 5], 25), b1: param([1, 6, 1, 1], 25),
    w2: param([16, 6, 5, 5], 150), b2: param([1, 16, 1, 1], 150),
    w3: param([400, 120], 400), b3: param([120], 400),
    w4: param([120, 84], 120), b4: param([84], 120),
    w5: param([84, 10], 84), b5: param([10], 84),
  };
  const zerosLike = (t: P): P => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, np.zeros(v.shape)]));
  let m = zerosLike(params);
  let v = zerosLike(params);
  const x = np.array(data.x).reshape([BATCH, 1, 28, 28]);
  const onehot = jnn.oneHot(np.array(new Int32Array(data.labels), { dtype: np.int32 }), 10);
  const pool = (h: InstanceType<typeof np.Array>, c: number, s: number): InstanceType<typeof np.Array> =>
    h.reshape([BATCH, c, s / 2, 2, s / 2, 2]).max([3, 5]);
  const loss = (p: P, xb: InstanceType<typeof np.Array>, y: InstanceType<typeof np.Array>): InstanceType<typeof np.Array> => {
    let h = jnn.relu(lax.conv(xb, p.w1, [1, 1], [[2, 2], [2, 2]]).add(p.b1));
    h = pool(h, 6, 28);
    h = jnn.relu(lax.conv(h, p.w2, [1, 1], 'VALID').add(p.b2));
    h = pool(h, 16, 10).reshape([BATCH, 400]);
    h = jnn.relu(np.matmul(h, p.w3).add(p.b3));
    h = jnn.relu(np.matmul(h, p.w4).add(p.b4));
    const logits = np.matmul(h, p.w5).add(p.b5);
    return jnn.logSoftmax(logits).mul(y).sum().mul(-1 / BATCH);
  };
  const lr = 1e-3;
  const step = jax.jit((p: P, mm: P, vv: P, xb: InstanceType<typeof np.Array>, y: InstanceType<typeof np.Array>, t: InstanceType<typeof np.Array>) => {
    const pRef: P = Object.fromEntries(Object.entries(p).map(([k, a]) => [k, a.ref]));
    const [value, g] = jax.valueAndGrad(loss)(pRef, xb, y) as [InstanceType<typeof np.Array>, P];
    const np2: P = {};
    const nm: P = {};
    const nv: P = {};
    const c1 = np.subtract(1, np.power(0.9, t.ref));
    const c2 = np.subtract(1, np.power(0.999, t));
    for (const k of Object.keys(p)) {
      nm[k] = mm[k].mul(0.9).add(g[k].ref.mul(0.1));
      nv[k] = vv[k].mul(0.999).add(g[k].ref.mul(g[k]).mul(0.001));
      const mHat = nm[k].ref.div(c1.ref);
      const vHat = nv[k].ref.div(c2.ref);
      np2[k] = p[k].sub(mHat.mul(lr).div(np.sqrt(vHat).add(1e-8)));
    }
    c1.dispose();
    c2.dispose();
    return [np2, nm, nv, value];
  });
  let t = 0;
  return async () => {
    t++;
    const [np2, nm, nv, value] = step(params, m, v, x.ref, onehot.ref, np.array([t])) as unknown as [P, P, P, InstanceType<typeof np.Array>];
    params = np2;
    m = nm;
    v = nv;
    await value.data();
  };
}

async function timeAsync(fn: () => Promise<void>, warm: number, reps: number): Promise<number> {
  for (let i = 0; i < warm; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = clock();
    await fn();
    samples.push(clock() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

async function benchLenet(): Promise<void> {
  const data = lenetData(new Generator(2));
  await tf.setBackend('cpu');
  await tf.ready();
  const ours = oursStep(data);
  const theirs = tfStep(data);
  // TF.js cpu takes seconds per step: one warm-up and a few samples, ours interleaved
  ours();
  theirs();
  const [msOurs] = interleaved([ours], { reps: 9, minMs: 150, warmupMs: 1500, clock });
  const tfSamples: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = clock();
    theirs();
    tfSamples.push(clock() - t0);
  }
  const msTf = tfSamples.sort((a, b) => a - b)[1];
  const jaxRun = await jaxStep(data);
  const msJax = jaxRun === null ? NaN : await timeAsync(jaxRun, 3, 7);
  const [msOurs2] = interleaved([ours], { reps: 9, minMs: 150, warmupMs: 300, clock });
  const best = Math.min(msOurs, msOurs2);
  console.log(`\nLeNet training step, batch 64, float32, Adam, ${CLOCK_NAME} ms (target: ≤ 10 ms)`);
  console.log(
    table(
      ['what', 'ms per step', 'that / surrograd'],
      [
        ['surrograd (before / after the references)', `${msOurs.toFixed(1)} / ${msOurs2.toFixed(1)}`, '1.00'],
        ['TF.js cpu', msTf.toFixed(0), (msTf / best).toFixed(1)],
        ['jax-js wasm, whole step in jit', Number.isNaN(msJax) ? 'n/a' : msJax.toFixed(1), Number.isNaN(msJax) ? 'n/a' : (msJax / best).toFixed(1)],
      ],
    ),
  );
}

/** The LeNet step alone, for profiling (`node --cpu-prof`) and CPU-time measurements. */
export function lenetStepForProfile(gen: Generator): () => void {
  return oursStep(lenetData(gen));
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).find((a) => !a.startsWith('--')); // 'layers' or 'lenet' runs one part
  if (only !== 'lenet') await benchLayers();
  if (only !== 'layers') await benchLenet();
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
