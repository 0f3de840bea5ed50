// XOR: the classic problem a network without a hidden layer cannot solve. A 2-8-2 MLP with tanh
// hidden units learns it with Adam and cross-entropy; the program prints the loss as it falls,
// the accuracy on the training points, and the predicted class of the four corners of the
// truth table.
//
// Run:   npx ts-node examples/xor.ts          (add --small, or set SURROGRAD_BUDGET=small, for
//                                              fewer steps)
import { data, manualSeed, nn, noGrad, optim, tensor, type Tensor } from 'surrograd';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');
const steps = small ? 50 : 200;

manualSeed(0); // the initial weights come from the default generator
const train = data.xor({ n: 200, noise: 0.2, seed: 1 }); // points around (±1, ±1), label = XOR of the signs

const model = nn.mlp([2, 8, 2], { activation: 'tanh' });
const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });

/** The fraction of rows of `logits` whose largest entry is at the label's index. */
function accuracy(logits: Tensor, labels: readonly number[]): number {
  const predicted = logits.argmax(1).toTypedArray();
  let correct = 0;
  labels.forEach((label, i) => {
    if (predicted[i] === label) correct++;
  });
  return correct / labels.length;
}

for (let step = 1; step <= steps; step++) {
  optimizer.zeroGrad();
  const loss = model.forward(train.x).crossEntropy(train.labels);
  loss.backward();
  optimizer.step();
  if (step === 1 || step % (steps / 5) === 0) console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(4)}`);
}

noGrad(() => {
  const trainAccuracy = accuracy(model.forward(train.x), train.labels);
  console.log(`accuracy: ${(100 * trainAccuracy).toFixed(0)}% on ${train.length} training points`);

  // the truth table in ±1 encoding: (x1 > 0) XOR (x2 > 0)
  const corners = [[-1, -1], [-1, 1], [1, -1], [1, 1]];
  const probabilities = model.forward(tensor(corners)).softmax(1).toArray() as number[][];
  console.log('predictions:');
  corners.forEach(([a, b], i) => {
    const p1 = probabilities[i][1];
    const expected = a > 0 !== b > 0 ? 1 : 0;
    console.log(`  (${String(a).padStart(2)}, ${String(b).padStart(2)}) -> class ${p1 > 0.5 ? 1 : 0}  P(1) = ${p1.toFixed(3)}  (XOR: ${expected})`);
  });
});
