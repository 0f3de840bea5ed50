// Swap the backward rule, keep everything else: the same deep sigmoid network, trained twice from
// the same seed on the same data with the same optimizer. The only line that differs is the
// backward rule of the sigmoid layers:
//
//   nn.mlp(sizes, { activation: 'sigmoid', backward: 'exact' })        σ'(x), at most 1/4
//   nn.mlp(sizes, { activation: 'sigmoid', backward: 'floorAdded' })   σ'(x) + 0.1 (Roodschild et al. 2020)
//
// Through four sigmoid layers the exact gradient shrinks layer by layer (at initialisation the
// first layer's is ~500 times smaller than the last one's), so plain SGD sits on a plateau for a
// long time; with the floor the early layers get a larger gradient pointing almost the same way,
// and the same network leaves the plateau much sooner. The forward pass is identical, so both
// trained models are ordinary sigmoid networks. Before training, `gradientAgreement` measures
// how far the floorAdded gradient is from the exact one for each layer's weights (direction:
// cosine; size: norm ratio).
//
// Run:   npx ts-node examples/swap-backward.ts       (add --small, or set SURROGRAD_BUDGET=small,
//                                                     for fewer epochs)
import { data, gradientAgreement, manualSeed, nn, noGrad, optim, type RuleChoice, type Tensor } from 'surrograd';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');
const epochs = small ? 250 : 500;
const reportEvery = epochs / 10;

// three Gaussian blobs at the corners of a triangle: easy for a shallow net
const train = data.blobs({ n: 300, centers: [[0, 2], [-1.7, -1], [1.7, -1]], std: 0.6, seed: 1 });
const sizes = [2, 32, 32, 32, 32, train.numClasses]; // four hidden sigmoid layers

function makeModel(rule: RuleChoice): nn.Sequential {
  manualSeed(0); // the same initial weights for every rule
  return nn.mlp(sizes, { activation: 'sigmoid', backward: rule }); // <- the one line that changes
}

function accuracy(logits: Tensor, labels: readonly number[]): number {
  const predicted = logits.argmax(1).toTypedArray();
  return labels.filter((label, i) => predicted[i] === label).length / labels.length;
}

interface Run {
  /** The loss at epoch 1 and every `reportEvery` epochs. */
  losses: number[];
  /** The first epoch whose loss was below 0.1, or null. */
  solvedAt: number | null;
  accuracy: number;
}

function trainWith(rule: RuleChoice): Run {
  const model = makeModel(rule);
  const optimizer = new optim.SGD(model.parameters(), { lr: 1 });
  const losses: number[] = [];
  let solvedAt: number | null = null;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    optimizer.zeroGrad();
    const loss = model.forward(train.x).crossEntropy(train.labels);
    loss.backward();
    optimizer.step();
    const value = loss.item();
    if (epoch === 1 || epoch % reportEvery === 0) losses.push(value);
    if (solvedAt === null && value < 0.1) solvedAt = epoch;
  }
  return { losses, solvedAt, accuracy: noGrad(() => accuracy(model.forward(train.x), train.labels)) };
}

// ---- how different is the floorAdded gradient, before any training? ----
const probe = makeModel('floorAdded');
const weights = probe.namedParameters().filter(([name]) => name.endsWith('weight'));
const agreement = gradientAgreement(
  () => probe.forward(train.x).crossEntropy(train.labels),
  weights.map(([, w]) => w),
  {}, // the layers already carry their rule; the reference is the exact rule everywhere
);
console.log('gradient of each layer\'s weights at initialisation, floorAdded vs exact:');
console.log(`  ${'layer'.padEnd(10)}${'cosine'.padStart(8)}${'norm ratio'.padStart(12)}${'exact norm'.padStart(12)}`);
weights.forEach(([name], i) => {
  const a = agreement[i];
  console.log(`  ${name.padEnd(10)}${a.cosine.toFixed(3).padStart(8)}${a.normRatio.toFixed(2).padStart(12)}${a.exactNorm.toExponential(2).padStart(12)}`);
});

// ---- train twice ----
const exact = trainWith('exact');
const floorAdded = trainWith('floorAdded');

console.log(`\ntraining loss, ${sizes.join('-')} sigmoid MLP, plain SGD (lr 1), ${train.length} points, ${epochs} epochs:`);
console.log(`  ${'epoch'.padStart(5)}${'exact'.padStart(10)}${'floorAdded'.padStart(12)}`);
exact.losses.forEach((loss, i) => {
  const epoch = i === 0 ? 1 : i * reportEvery;
  console.log(`  ${String(epoch).padStart(5)}${loss.toFixed(4).padStart(10)}${floorAdded.losses[i].toFixed(4).padStart(12)}`);
});
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const solved = (run: Run): string => (run.solvedAt === null ? `not within ${epochs}` : String(run.solvedAt));
console.log(`first epoch with loss < 0.1: exact ${solved(exact)}, floorAdded ${solved(floorAdded)}`);
console.log(`accuracy: exact ${pct(exact.accuracy)}, floorAdded ${pct(floorAdded.accuracy)} (chance ${pct(1 / train.numClasses)})`);
