/**
 * Same-run references for issue 11's workloads: surrograd against TensorFlow.js's wasm backend
 * and jax-js's wasm device, printed as ratios (reference time / surrograd time: > 1 means
 * surrograd is faster).
 *
 *   npx ts-node bench/compare.ts          (also part of npm run bench)
 *
 * (a) MLP 784-256-256-10, batch 128, ReLU, cross-entropy, Adam lr 1e-3: ms per training step
 * (b) 12 × (Linear 64→64 + sigmoid), batch 32, MSE, SGD lr 0.1: ms per training step
 * (c) matmul GFLOP/s: 512³ and 128×784×256, each as A·B, Aᵀ·B and A·Bᵀ
 * (d) a 32×64×64 product (A·B, Aᵀ·B, A·Bᵀ): µs per call
 *
 * Every engine gets the same data and the same initial weights (surrograd's own initialisation,
 * copied; TF.js and jax-js hold each weight as [in, out], surrograd's Linear as [out, in]).
 * Before timing, each engine trains 3 steps from that start and the losses are printed side by
 * side: they must agree to float32 accuracy, which shows the three do the same work.
 *
 * How each engine is driven (each as its fastest ordinary user would):
 *   surrograd  the public API: nn.Sequential / nn.mlp, nn.*Loss, optim.Adam / optim.SGD;
 *              Tensor.matmul (with .T views) under noGrad.
 *   TF.js      @tensorflow/tfjs 4.22 with @tensorflow/tfjs-backend-wasm, one thread
 *              (setThreadsCount(1): the other two are single-threaded too); optimizer.minimize;
 *              tf.matMul(a, b, transposeA, transposeB).
 *   jax-js     @jax-js/jax 0.1.25 on its 'wasm' device, the whole training step (loss, grad and
 *              the optimizer update, written here: @jax-js/optax is not on the registry) inside
 *              one jit; products as jit(np.matmul) on transposed views, awaited with
 *              blockUntilReady.
 *
 * Timing: CPU time of this process (process.cpuUsage, all three engines single-threaded), so
 * that other processes on a shared 2-vCPU machine distort the figures less than wall time;
 * contenders are interleaved sample by sample (rotating order). Training steps report the
 * median sample (garbage collection is part of a step); products report the fastest sample,
 * the steadiest estimate of a kernel's speed when neighbours share the cores (bench/cpu-time.ts).
 * A reference that fails to load or run is reported with the reason, and the rest goes on.
 */
import * as path from 'node:path';
import { Generator, nn, noGrad, optim, tensor, type Tensor } from '../src/index';
import { wasmMulAddPeak } from '../src/nd/wasm';
import { cpuMs } from './cpu-time';
import { table } from './util';

type TF = typeof import('@tensorflow/tfjs');
type Jax = typeof import('@jax-js/jax');
type JaxArray = import('@jax-js/jax').numpy.Array;
type Runner = () => void | Promise<void>;

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

/**
 * Median (or, with stat 'min', fastest) CPU milliseconds per call of each runner (null where a
 * runner is null or throws), after
 * a warm-up; `reps` samples each, interleaved in rotating order, each at least `minMs` long.
 */
async function timeAll(
  runners: readonly (Runner | null)[], options: { warmupMs: number; reps: number; minMs: number; stat?: 'median' | 'min' },
  failures: (string | null)[],
): Promise<(number | null)[]> {
  const live = runners.map((r) => r !== null);
  for (let i = 0; i < runners.length; i++) {
    const run = runners[i];
    if (run === null) continue;
    try {
      const start = cpuMs();
      let calls = 0;
      while (calls < 2 || cpuMs() - start < options.warmupMs) {
        await run();
        calls++;
      }
    } catch (e) {
      live[i] = false;
      failures[i] = failures[i] ?? `failed while running: ${(e as Error).message}`;
    }
  }
  const samples: number[][] = runners.map(() => []);
  for (let r = 0; r < options.reps; r++) {
    for (let k = 0; k < runners.length; k++) {
      const i = (r + k) % runners.length;
      const run = runners[i];
      if (run === null || !live[i]) continue;
      try {
        const start = cpuMs();
        let calls = 0;
        let elapsed = 0;
        while (calls < 1 || elapsed < options.minMs) {
          await run();
          calls++;
          elapsed = cpuMs() - start;
        }
        samples[i].push(elapsed / calls);
      } catch (e) {
        live[i] = false;
        failures[i] = failures[i] ?? `failed while running: ${(e as Error).message}`;
      }
    }
  }
  return samples.map((s, i) => (live[i] && s.length > 0 ? (options.stat === 'min' ? Math.min(...s) : median(s)) : null));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------------------------------------
// Loading the references (each may fail; the reason is printed and the bench goes on)
// ---------------------------------------------------------------------------------------------

interface Loaded<T> {
  lib: T | null;
  why: string | null;
}

async function loadTf(): Promise<Loaded<TF>> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs') as TF;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    wasm.setThreadsCount(1);
    const ok = await tf.setBackend('wasm');
    if (!ok || tf.getBackend() !== 'wasm') return { lib: null, why: `tf.setBackend('wasm') failed (backend is ${tf.getBackend()})` };
    await tf.ready();
    return { lib: tf, why: null };
  } catch (e) {
    return { lib: null, why: `could not load TF.js wasm: ${(e as Error).message}` };
  }
}

async function loadJax(): Promise<Loaded<Jax>> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jax = require('@jax-js/jax') as Jax;
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) return { lib: null, why: `jax-js init('wasm') gave devices [${devices.join(', ')}]` };
    jax.defaultDevice('wasm');
    return { lib: jax, why: null };
  } catch (e) {
    return { lib: null, why: `could not load jax-js: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Shared data and weights
// ---------------------------------------------------------------------------------------------

/** A dense layer's initial values: weight as surrograd stores it ([out, in]) and bias. */
interface LayerInit {
  inF: number;
  outF: number;
  weight: Float32Array;
  bias: Float32Array;
}

function layerInits(model: nn.Sequential): LayerInit[] {
  const out: LayerInit[] = [];
  for (const m of model.children()) {
    if (m instanceof nn.Linear) {
      out.push({
        inF: m.inFeatures,
        outF: m.outFeatures,
        weight: Float32Array.from(m.weight.toTypedArray()),
        bias: Float32Array.from(m.bias!.toTypedArray()),
      });
    }
  }
  return out;
}

/** [out, in] → [in, out]. */
function transposed(w: Float32Array, outF: number, inF: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) t[i * outF + o] = w[o * inF + i];
  return t;
}

function uniformArray(gen: Generator, n: number, lo = 0, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * gen.uniform();
  return a;
}

interface Workload {
  title: string;
  batch: number;
  layers: LayerInit[];
  x: Float32Array;
  /** 'ce': integer labels; 'mse': a target matrix. */
  loss: 'ce' | 'mse';
  labels: number[];
  target: Float32Array;
  activation: 'relu' | 'sigmoid';
  /** The activation follows every layer (true) or all but the last (false). */
  activateLast: boolean;
  optimizer: 'adam' | 'sgd';
  lr: number;
}

const ADAM_BETAS: [number, number] = [0.9, 0.999];
const ADAM_EPS = 1e-8;

function mlpWorkload(): { work: Workload; model: nn.Sequential } {
  const gen = new Generator(11);
  const model = nn.mlp([784, 256, 256, 10], { activation: 'relu', generator: gen });
  const batch = 128;
  const work: Workload = {
    title: '(a) MLP 784-256-256-10, batch 128, ReLU, cross-entropy, Adam 1e-3',
    batch, layers: layerInits(model), x: uniformArray(gen, batch * 784), loss: 'ce',
    labels: Array.from({ length: batch }, () => gen.int(10)), target: new Float32Array(0),
    activation: 'relu', activateLast: false, optimizer: 'adam', lr: 1e-3,
  };
  return { work, model };
}

function deepWorkload(): { work: Workload; model: nn.Sequential } {
  const gen = new Generator(12);
  const layers: nn.Module[] = [];
  for (let l = 0; l < 12; l++) layers.push(new nn.Linear(64, 64, { generator: gen }), new nn.Sigmoid());
  const model = new nn.Sequential(...layers);
  const batch = 32;
  const work: Workload = {
    title: '(b) 12 × (64→64 + sigmoid), batch 32, MSE, SGD 0.1',
    batch, layers: layerInits(model), x: uniformArray(gen, batch * 64, -1, 1), loss: 'mse',
    labels: [], target: uniformArray(gen, batch * 64),
    activation: 'sigmoid', activateLast: true, optimizer: 'sgd', lr: 0.1,
  };
  return { work, model };
}

// ---------------------------------------------------------------------------------------------
// One training step per engine; each factory returns { step, loss } where loss() reads the
// loss of the last step (used only by the 3-step agreement check)
// ---------------------------------------------------------------------------------------------

interface Trainer {
  step: Runner;
  lastLoss: () => number | Promise<number>;
}

function surrogradTrainer(w: Workload, model: nn.Sequential): Trainer {
  const x = tensor(w.x, { shape: [w.batch, w.layers[0].inF] });
  const params = model.parameters();
  const opt = w.optimizer === 'adam'
    ? new optim.Adam(params, { lr: w.lr, betas: ADAM_BETAS, eps: ADAM_EPS })
    : new optim.SGD(params, { lr: w.lr });
  const criterion = w.loss === 'ce' ? new nn.CrossEntropyLoss() : new nn.MSELoss();
  const target: Tensor = w.loss === 'ce' ? tensor(w.labels) : tensor(w.target, { shape: [w.batch, w.layers[w.layers.length - 1].outF] });
  let last: Tensor | null = null;
  return {
    step: () => {
      opt.zeroGrad();
      const loss = criterion.forward(model.forward(x), target);
      loss.backward();
      opt.step();
      last = loss;
    },
    lastLoss: () => (last === null ? NaN : last.item()),
  };
}

function tfTrainer(tf: TF, w: Workload): Trainer {
  const vars: import('@tensorflow/tfjs').Variable[] = [];
  for (const l of w.layers) {
    vars.push(tf.variable(tf.tensor2d(transposed(l.weight, l.outF, l.inF), [l.inF, l.outF])));
    vars.push(tf.variable(tf.tensor1d(l.bias)));
  }
  const outF = w.layers[w.layers.length - 1].outF;
  const x = tf.tensor2d(w.x, [w.batch, w.layers[0].inF]);
  const target = w.loss === 'ce'
    ? tf.oneHot(tf.tensor1d(w.labels, 'int32'), outF).toFloat()
    : tf.tensor2d(w.target, [w.batch, outF]);
  const opt = w.optimizer === 'adam' ? tf.train.adam(w.lr, ADAM_BETAS[0], ADAM_BETAS[1], ADAM_EPS) : tf.train.sgd(w.lr);
  const act = (h: import('@tensorflow/tfjs').Tensor): import('@tensorflow/tfjs').Tensor => (w.activation === 'relu' ? tf.relu(h) : tf.sigmoid(h));
  const lossFn = (): import('@tensorflow/tfjs').Scalar => {
    let h: import('@tensorflow/tfjs').Tensor = x;
    for (let l = 0; l < w.layers.length; l++) {
      h = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
      if (w.activateLast || l + 1 < w.layers.length) h = act(h);
    }
    return w.loss === 'ce'
      ? (tf.losses.softmaxCrossEntropy(target, h) as import('@tensorflow/tfjs').Scalar)
      : tf.mean(tf.square(tf.sub(h, target))) as import('@tensorflow/tfjs').Scalar;
  };
  let last = NaN;
  let keep = false;
  return {
    step: () => {
      const cost = opt.minimize(lossFn, keep, vars);
      if (cost !== null) {
        last = cost.dataSync()[0];
        cost.dispose();
      }
    },
    lastLoss: () => {
      // the agreement check runs steps with the cost returned; timing runs them without
      keep = true;
      return last;
    },
  };
}

function jaxTrainer(jax: Jax, w: Workload): Trainer {
  const { numpy: np, nn: jnn, jit, valueAndGrad, tree } = jax;
  const nLayers = w.layers.length;
  const outF = w.layers[nLayers - 1].outF;
  let params: JaxArray[] = [];
  for (const l of w.layers) {
    params.push(np.array(transposed(l.weight, l.outF, l.inF)).reshape([l.inF, l.outF]));
    params.push(np.array(l.bias));
  }
  const x = np.array(w.x).reshape([w.batch, w.layers[0].inF]);
  let target: JaxArray;
  if (w.loss === 'ce') {
    const onehot = new Float32Array(w.batch * outF);
    w.labels.forEach((c, i) => { onehot[i * outF + c] = 1; });
    target = np.array(onehot).reshape([w.batch, outF]);
  } else {
    target = np.array(w.target).reshape([w.batch, outF]);
  }

  const lossOf = (ps: JaxArray[], xb: JaxArray, t: JaxArray): JaxArray => {
    let h = xb;
    for (let l = 0; l < nLayers; l++) {
      h = np.dot(h, ps[2 * l]).add(ps[2 * l + 1]);
      if (w.activateLast || l + 1 < nLayers) h = w.activation === 'relu' ? jnn.relu(h) : jnn.sigmoid(h);
    }
    if (w.loss === 'ce') return jnn.logSoftmax(h).mul(t).sum().mul(-1 / w.batch);
    return np.square(h.sub(t)).mean();
  };

  let last: JaxArray | null = null;
  if (w.optimizer === 'sgd') {
    const lr = w.lr;
    const step = jit((ps: JaxArray[], xb: JaxArray, t: JaxArray): [JaxArray[], JaxArray] => {
      const [loss, grads] = valueAndGrad(lossOf)(tree.ref(ps), xb, t);
      return [ps.map((p, i) => p.sub(grads[i].mul(lr))), loss];
    });
    return {
      step: async () => {
        const [next, loss] = step(params, x.ref, target.ref);
        params = next;
        if (last !== null) last.dispose();
        last = loss;
        await jax.blockUntilReady([params.map((p) => p.ref), loss.ref]).then((t) => tree.dispose(t));
      },
      lastLoss: () => (last === null ? NaN : (last.ref.dataSync()[0] as number)),
    };
  }

  // Adam, as PyTorch / optax write it: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
  // p ← p − lr·(m/(1−β1^t)) / (sqrt(v/(1−β2^t)) + eps). The bias corrections are passed in as
  // scalars so that the jitted step is traced once.
  const [b1, b2] = ADAM_BETAS;
  const lr = w.lr;
  let m = params.map((p) => np.zerosLike(p.ref));
  let v = params.map((p) => np.zerosLike(p.ref));
  let t = 0;
  const step = jit((ps: JaxArray[], ms: JaxArray[], vs: JaxArray[], xb: JaxArray, tg: JaxArray, c1: JaxArray, c2: JaxArray):
    [JaxArray[], JaxArray[], JaxArray[], JaxArray] => {
    const [loss, grads] = valueAndGrad(lossOf)(tree.ref(ps), xb, tg);
    const newM: JaxArray[] = [];
    const newV: JaxArray[] = [];
    const newP: JaxArray[] = [];
    for (let i = 0; i < ps.length; i++) {
      const g = grads[i];
      const mi = ms[i].mul(b1).add(g.ref.mul(1 - b1));
      const vi = vs[i].mul(b2).add(g.ref.mul(g).mul(1 - b2));
      const update = mi.ref.mul(c1.ref).mul(lr).div(np.sqrt(vi.ref.mul(c2.ref)).add(ADAM_EPS));
      newP.push(ps[i].sub(update));
      newM.push(mi);
      newV.push(vi);
    }
    c1.dispose();
    c2.dispose();
    return [newP, newM, newV, loss];
  });
  return {
    step: async () => {
      t++;
      const c1 = np.array(1 / (1 - b1 ** t));
      const c2 = np.array(1 / (1 - b2 ** t));
      const [p2, m2, v2, loss] = step(params, m, v, x.ref, target.ref, c1, c2);
      params = p2;
      m = m2;
      v = v2;
      if (last !== null) last.dispose();
      last = loss;
      await jax.blockUntilReady([params.map((p) => p.ref), m.map((a) => a.ref), v.map((a) => a.ref), loss.ref])
        .then((out) => tree.dispose(out));
    },
    lastLoss: () => (last === null ? NaN : (last.ref.dataSync()[0] as number)),
  };
}

// ---------------------------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------------------------

type Layout = 'NN' | 'TN' | 'NT';

interface ProductCase {
  M: number;
  N: number;
  K: number;
  layout: Layout;
}

function productRunners(c: ProductCase, tf: TF | null, jax: Jax | null): { runners: (Runner | null)[]; why: (string | null)[] } {
  const gen = new Generator(13);
  const { M, N, K, layout } = c;
  const aShape = layout === 'TN' ? [K, M] : [M, K];
  const bShape = layout === 'NT' ? [N, K] : [K, N];
  const aData = uniformArray(gen, M * K, -1, 1);
  const bData = uniformArray(gen, K * N, -1, 1);
  const why: (string | null)[] = [null, null, null];

  const a = tensor(aData, { shape: aShape });
  const b = tensor(bData, { shape: bShape });
  const ours: Runner = () => {
    noGrad(() => {
      const x = layout === 'TN' ? a.T : a;
      const y = layout === 'NT' ? b.T : b;
      x.matmul(y);
    });
  };

  let theirsTf: Runner | null = null;
  if (tf !== null) {
    const ta = tf.tensor2d(aData, aShape as [number, number]);
    const tb = tf.tensor2d(bData, bShape as [number, number]);
    theirsTf = () => {
      tf.matMul(ta, tb, layout === 'TN', layout === 'NT').dispose();
    };
  } else {
    why[1] = 'not loaded';
  }

  let theirsJax: Runner | null = null;
  if (jax !== null) {
    const np = jax.numpy;
    const ja = np.array(aData).reshape(aShape);
    const jb = np.array(bData).reshape(bShape);
    const f = jax.jit((x: JaxArray, y: JaxArray) => np.matmul(
      layout === 'TN' ? np.transpose(x) : x,
      layout === 'NT' ? np.transpose(y) : y,
    ));
    theirsJax = async () => {
      const out = await f(ja.ref, jb.ref).blockUntilReady();
      out.dispose();
    };
  } else {
    why[2] = 'not loaded';
  }
  return { runners: [ours, theirsTf, theirsJax], why };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const fmt = (x: number | null, digits = 2): string => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits));
const ratio = (ref: number | null, ours: number | null): string => (ref === null || ours === null ? '—' : `${(ref / ours).toFixed(2)}×`);

async function agreement(trainers: (Trainer | null)[], steps: number, why: (string | null)[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < trainers.length; i++) {
    const t = trainers[i];
    if (t === null) {
      out.push('—');
      continue;
    }
    try {
      await t.lastLoss(); // arms TF.js to return the cost
      for (let s = 0; s < steps; s++) await t.step();
      out.push((await t.lastLoss()).toPrecision(6));
    } catch (e) {
      trainers[i] = null;
      why[i] = why[i] ?? `failed: ${(e as Error).message}`;
      out.push('—');
    }
  }
  return out;
}

async function benchTraining(make: () => { work: Workload; model: nn.Sequential }, tf: TF | null, jax: Jax | null, reasons: string[]): Promise<void> {
  const { work, model } = make();
  const why: (string | null)[] = [null, tf === null ? 'not loaded' : null, jax === null ? 'not loaded' : null];
  const trainers: (Trainer | null)[] = [surrogradTrainer(work, model), null, null];
  if (tf !== null) {
    try {
      trainers[1] = tfTrainer(tf, work);
    } catch (e) {
      why[1] = `setup failed: ${(e as Error).message}`;
    }
  }
  if (jax !== null) {
    try {
      trainers[2] = jaxTrainer(jax, work);
    } catch (e) {
      why[2] = `setup failed: ${(e as Error).message}`;
    }
  }
  const losses = await agreement(trainers, 3, why);
  const runners = trainers.map((t) => (t === null ? null : t.step));
  const ms = await timeAll(runners, { warmupMs: 300, reps: 5, minMs: 40 }, why);
  console.log(`\n${work.title}: ms per training step (CPU time, median of 5 interleaved samples)`);
  console.log(table(
    ['engine', 'loss after 3 steps', 'ms / step', 'engine / surrograd'],
    [
      ['surrograd', losses[0], fmt(ms[0]), '1.00×'],
      ['TF.js wasm', losses[1], fmt(ms[1]), ratio(ms[1], ms[0])],
      ['jax-js wasm, jit(step)', losses[2], fmt(ms[2]), ratio(ms[2], ms[0])],
    ],
  ));
  why.forEach((w, i) => { if (w !== null && w !== 'not loaded') reasons.push(`${work.title}, ${['surrograd', 'TF.js', 'jax-js'][i]}: ${w}`); });
}

async function benchProducts(tf: TF | null, jax: Jax | null, reasons: string[]): Promise<void> {
  const rows: string[][] = [];
  const small: string[][] = [];
  const cases: ProductCase[] = [];
  for (const [M, N, K] of [[512, 512, 512], [128, 784, 256], [32, 64, 64]] as const) {
    for (const layout of ['NN', 'TN', 'NT'] as const) cases.push({ M, N, K, layout });
  }
  const label = (l: Layout): string => (l === 'NN' ? 'A·B' : l === 'TN' ? 'Aᵀ·B' : 'A·Bᵀ');
  for (const c of cases) {
    const { runners, why } = productRunners(c, tf, jax);
    const tiny = c.M * c.N * c.K < 1e6;
    const ms = await timeAll(runners, { warmupMs: tiny ? 100 : 150, reps: tiny ? 9 : 5, minMs: tiny ? 10 : 25, stat: 'min' }, why);
    const flops = 2 * c.M * c.N * c.K;
    const gf = ms.map((t) => (t === null ? null : flops / (t / 1000) / 1e9));
    const shape = `${c.M}×${c.N}×${c.K}`;
    if (tiny) {
      const us = ms.map((t) => (t === null ? null : t * 1000));
      small.push([`${shape} ${label(c.layout)}`, fmt(us[0], 1), fmt(us[1], 1), ratio(us[1], us[0]), fmt(us[2], 1), ratio(us[2], us[0])]);
    } else {
      rows.push([`${shape} ${label(c.layout)}`, fmt(gf[0], 1), fmt(gf[1], 1), ratio(gf[0], gf[1]), fmt(gf[2], 1), ratio(gf[0], gf[2])]);
    }
    why.forEach((w, i) => { if (w !== null && w !== 'not loaded') reasons.push(`matmul ${shape} ${c.layout}, ${['surrograd', 'TF.js', 'jax-js'][i]}: ${w}`); });
  }
  // this machine's ceiling for a 4-lane mul+add kernel (register-only loop in the same module)
  const peakRuns = 2e5;
  const [peakMs] = await timeAll([() => { wasmMulAddPeak(peakRuns); }], { warmupMs: 100, reps: 9, minMs: 20, stat: 'min' }, [null]);
  const peak = peakMs === null ? null : (64 * peakRuns) / (peakMs / 1000) / 1e9;

  console.log('\n(c) matmul, float32: GFLOP/s = 2MNK / CPU time (fastest of 5 interleaved samples); ratio = surrograd / engine');
  console.log(table(['product', 'surrograd', 'TF.js wasm', 'ours / TF.js', 'jax-js jit', 'ours / jax-js'], rows));
  console.log(`    ceiling here: ${fmt(peak, 1)} GFLOP/s (8 independent f32x4 mul+add chains in registers, WASM SIMD128, same run)`);
  console.log('\n(d) small product: µs per call (CPU time, fastest of 9 interleaved samples); ratio = engine / surrograd');
  console.log(table(['product', 'surrograd', 'TF.js wasm', 'TF.js / ours', 'jax-js jit', 'jax-js / ours'], small));
}

export async function benchCompare(): Promise<void> {
  const started = performance.now();
  const reasons: string[] = [];
  const tfLoad = await loadTf();
  const jaxLoad = await loadJax();
  console.log(`Same-run references (Node ${process.version}; CPU time of this process; every engine single-threaded)`);
  if (tfLoad.why !== null) console.log(`  TF.js wasm unavailable: ${tfLoad.why}`);
  if (jaxLoad.why !== null) console.log(`  jax-js wasm unavailable: ${jaxLoad.why}`);
  await benchTraining(mlpWorkload, tfLoad.lib, jaxLoad.lib, reasons);
  await benchTraining(deepWorkload, tfLoad.lib, jaxLoad.lib, reasons);
  await benchProducts(tfLoad.lib, jaxLoad.lib, reasons);
  for (const r of reasons) console.log(`  note: ${r}`);
  console.log(`\n(compare.ts took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (require.main === module) {
  benchCompare().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
