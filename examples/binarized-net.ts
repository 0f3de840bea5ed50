// A binarized network: every hidden activation is sign(x) ∈ {−1, +1} (a 1-bit activation), trained
// with the clipped straight-through estimator of Hubara et al. (2016): backward passes the gradient
// unchanged where |x| ≤ 1 and blocks it outside, i.e. it uses the derivative of hardtanh. One option
// on the activation layer chooses it:
//
//   nn.activation('sign', { backward: 'clippedStraightThrough' })
//
// The exact derivative of sign is 0 wherever it exists. Trained with the exact rule, the same
// network gets no gradient below its first sign: those layers keep their random initial weights,
// and only the output layer learns, on fixed random binary features.
//
// The task: 4 Gaussian blobs in 20 dimensions (random centres), 2000 points split 70/30. The
// network is Linear → BatchNorm → sign, twice, then a Linear readout (only the activations are
// binarized; the weights stay real-valued).
//
// Run:   npx ts-node examples/binarized-net.ts      (add --small, or set SURROGRAD_BUDGET=small,
//                                                    for fewer points and epochs)
import { data, manualSeed, nn, noGrad, optim, type RuleChoice, type Tensor } from 'surrograd';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');
const points = small ? 800 : 2000;
const epochs = small ? 6 : 20;
const hidden = 32;

const all = data.blobs({ n: points, k: 4, dims: 20, box: 1, std: 1, seed: 1 });
const { train, test } = data.trainTestSplit(all, { testFraction: 0.3, seed: 2 });

function makeModel(signRule: RuleChoice): nn.Sequential {
  manualSeed(0); // the same initial weights for both rules
  return new nn.Sequential(
    new nn.Linear(all.x.shape[1], hidden),
    new nn.BatchNorm1d(hidden),
    nn.activation('sign', { backward: signRule }),
    new nn.Linear(hidden, hidden),
    new nn.BatchNorm1d(hidden),
    nn.activation('sign', { backward: signRule }),
    new nn.Linear(hidden, all.numClasses),
  );
}

function accuracy(model: nn.Module, split: data.ClassificationDataset): number {
  model.eval(); // BatchNorm uses its running statistics
  const predicted = noGrad(() => model.forward(split.x)).argmax(1).toTypedArray();
  model.train();
  return split.labels.filter((label, i) => predicted[i] === label).length / split.length;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Train with the given rule for the signs; returns the final accuracies and how far layer 0 moved. */
function trainWith(signRule: RuleChoice, verbose: boolean): { train: number; test: number; firstLayerChange: number } {
  const model = makeModel(signRule);
  const firstLayer = model.at(0) as nn.Linear;
  const initial = firstLayer.weight.toTypedArray();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 3 });
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let lossSum = 0;
    for (const batch of loader) {
      optimizer.zeroGrad();
      const loss = model.forward(batch.x).crossEntropy(batch.labels);
      loss.backward();
      optimizer.step();
      lossSum += loss.item() * batch.indices.length;
    }
    if (verbose && (epoch === 1 || epoch % Math.max(1, Math.floor(epochs / 5)) === 0)) {
      const loss = (lossSum / train.length).toFixed(4);
      console.log(`  epoch ${String(epoch).padStart(2)}  loss ${loss}  train ${pct(accuracy(model, train))}  test ${pct(accuracy(model, test))}`);
    }
  }
  const final = firstLayer.weight.toTypedArray();
  const firstLayerChange = Math.hypot(...final.map((w, i) => w - initial[i]));
  return { train: accuracy(model, train), test: accuracy(model, test), firstLayerChange };
}

console.log(`binarized MLP 20-${hidden}-${hidden}-4 with sign activations, ${train.length} train / ${test.length} test points, chance 25%`);
console.log("backward 'clippedStraightThrough':");
const ste = trainWith('clippedStraightThrough', true);
const exact = trainWith('exact', false);

console.log('\nafter training:');
console.log(`  clippedStraightThrough  train ${pct(ste.train)}  test ${pct(ste.test)}  first layer moved by ‖ΔW‖ = ${ste.firstLayerChange.toFixed(3)}`);
console.log(`  exact                   train ${pct(exact.train)}  test ${pct(exact.test)}  first layer moved by ‖ΔW‖ = ${exact.firstLayerChange.toFixed(3)}`);
console.log("(with 'exact' no gradient passes a sign: only the output layer learns, on random binary features)");
