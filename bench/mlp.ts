// Issue 2's speed targets, each printed next to a reference measured in the same run:
// - ms per forward + backward of a 784-256-256-10 ReLU MLP (batch 128, float32), surrograd vs
//   TensorFlow.js's pure-JS CPU backend (target ≤ 100 ms; TF.js measured ~330 ms here);
// - µs per op on tiny tensors (a chain of adds on 8-element tensors; target ≤ 3 µs).
// Run: npx ts-node bench/mlp.ts
import * as tf from '@tensorflow/tfjs';
import { Generator, randn, tensor, zeros, type Tensor } from '../src';
import { interleaved, table } from './util';

const SIZES = [784, 256, 256, 10];
const BATCH = 128;

function makeData(gen: Generator): { x: Float32Array; labels: number[] } {
  const x = new Float32Array(BATCH * SIZES[0]);
  for (let i = 0; i < x.length; i++) x[i] = gen.uniform();
  const labels = Array.from({ length: BATCH }, () => gen.int(10));
  return { x, labels };
}

function surrogradStep(gen: Generator, data: { x: Float32Array; labels: number[] }): () => void {
  const params: Tensor[] = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    const std = Math.sqrt(2 / SIZES[l]);
    params.push(randn([SIZES[l], SIZES[l + 1]], { generator: gen, std, requiresGrad: true }));
    params.push(zeros([SIZES[l + 1]], { requiresGrad: true }));
  }
  const x = tensor(data.x, { shape: [BATCH, SIZES[0]] });
  return () => {
    let h: Tensor = x;
    for (let l = 0; l < params.length; l += 2) {
      h = h.matmul(params[l]).add(params[l + 1]);
      if (l + 2 < params.length) h = h.relu();
    }
    h.crossEntropy(data.labels).backward();
    for (const p of params) p.grad = null;
  };
}

function tfjsStep(gen: Generator, data: { x: Float32Array; labels: number[] }): () => void {
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    const w = new Float32Array(SIZES[l] * SIZES[l + 1]);
    const std = Math.sqrt(2 / SIZES[l]);
    for (let i = 0; i < w.length; i++) w[i] = std * gen.normal();
    params.push(tf.variable(tf.tensor2d(w, [SIZES[l], SIZES[l + 1]])));
    params.push(tf.variable(tf.zeros([SIZES[l + 1]])));
  }
  const x = tf.tensor2d(data.x, [BATCH, SIZES[0]]);
  const onehot = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10);
  return () => {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        let h: tf.Tensor = x;
        for (let l = 0; l < params.length; l += 2) {
          h = tf.add(tf.matMul(h, params[l]), params[l + 1]);
          if (l + 2 < params.length) h = tf.relu(h);
        }
        return tf.losses.softmaxCrossEntropy(onehot, h) as tf.Scalar;
      });
      for (const g of Object.values(grads)) g.dataSync();
    });
  };
}

function tinyChain(n: number): { ours: () => void; theirs: () => void } {
  const a = tensor([1, 2, 3, 4, 5, 6, 7, 8]);
  const b = tensor([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  const ta = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8]);
  const tb = tf.tensor1d([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  return {
    ours: () => {
      let y = a;
      for (let i = 0; i < n; i++) y = y.add(b);
    },
    theirs: () => {
      tf.tidy(() => {
        let y = ta;
        for (let i = 0; i < n; i++) y = tf.add(y, tb);
      });
    },
  };
}

export async function benchMlp(): Promise<void> {
  await tf.setBackend('cpu');
  const data = makeData(new Generator(1));
  const ours = surrogradStep(new Generator(2), data);
  const theirs = tfjsStep(new Generator(2), data);
  const [msOurs, msTf] = interleaved([ours, theirs], { reps: 7, minMs: 200, warmupMs: 1500 });

  const chain = 1000;
  const tiny = tinyChain(chain);
  const [usOurs, usTf] = interleaved([tiny.ours, tiny.theirs], { reps: 9, minMs: 50 }).map((ms) => (ms * 1000) / chain);

  console.log('MLP 784-256-256-10, batch 128, float32: forward + backward');
  console.log(
    table(
      ['what', 'surrograd', 'TF.js cpu', 'TF.js / surrograd', 'target'],
      [
        ['ms per step', msOurs.toFixed(1), msTf.toFixed(1), (msTf / msOurs).toFixed(2), '<= 100 ms'],
        ['µs per tiny add (8 elements)', usOurs.toFixed(2), usTf.toFixed(2), (usTf / usOurs).toFixed(2), '<= 3 µs'],
      ],
    ),
  );
}

if (require.main === module) {
  benchMlp().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
