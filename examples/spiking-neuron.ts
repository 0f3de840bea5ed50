// A spiking network trained with a surrogate gradient.
//
// Two layers of leaky integrate-and-fire (LIF) neurons, unrolled over T time steps. At each step
// every neuron integrates its input into a membrane potential u, fires a spike when u crosses the
// threshold, and is reset by subtraction:
//
//   u[t] = β·u[t−1] + W·x[t] − threshold·spike[t−1]
//   spike[t] = heaviside(u[t] − threshold)
//
// The spike is a step function, whose exact derivative is zero almost everywhere: nothing would
// train. The heaviside's backward rule is the fast-sigmoid surrogate 1/(1 + 25·|u − threshold|)²
// (Zenke & Ganguli 2018, snnTorch's default), chosen with one option; the forward pass stays
// a true step, so the trained network really spikes.
//
// The task: each example is a train of random spikes on 20 input channels, rate-coded — every
// channel fires with a probability per step set by the example's class (two classes with the same
// average rate, different patterns), plus per-example jitter. The class is read out as the output
// neuron that fires most over the T steps; the loss is the cross-entropy of the spike counts.
//
// Run:   npx ts-node examples/spiking-neuron.ts      (add --small, or set SURROGRAD_BUDGET=small,
//                                                     for fewer examples and epochs)
import { Generator, manualSeed, nn, noGrad, optim, rules, tensor, zeros, type RuleChoice, type Tensor } from 'surrograd';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');

const STEPS = 25; // T, time steps per example
const INPUTS = 20; // input channels
const HIDDEN = 32;
const CLASSES = 2;
const BETA = 0.9; // membrane decay per step
const THRESHOLD = 1;
const SURROGATE = rules.fastSigmoid({ slope: 25 });
const DELTA = 0.03; // how far the two classes' rates differ, per channel
const JITTER = 0.05; // per-example spread of the rates

const trainSize = small ? 128 : 512;
const testSize = small ? 128 : 256;
const epochs = small ? 8 : 20;
const batchSize = 64;

// ---- data: rate-coded spike trains ----

interface SpikeData {
  /** One tensor per time step, each [N, INPUTS] of 0s and 1s. */
  steps: Tensor[];
  labels: number[];
}

/**
 * Per class, a firing probability per channel: a shared base rate in [0.1, 0.3] plus or minus
 * DELTA, with the signs of class 1 the opposite of class 0's, so both classes fire the same number
 * of input spikes on average and only the pattern tells them apart.
 */
function classRates(generator: Generator): number[][] {
  const base = Array.from({ length: INPUTS }, () => 0.1 + 0.2 * generator.uniform());
  const sign = Array.from({ length: INPUTS }, (_, j) => (j % 2 === 0 ? 1 : -1));
  return [base.map((r, j) => r + DELTA * sign[j]), base.map((r, j) => r - DELTA * sign[j])];
}

function spikeTrains(n: number, rates: number[][], generator: Generator): SpikeData {
  const labels = Array.from({ length: n }, (_, i) => i % CLASSES);
  // each example jitters its class's rates, so no two examples of a class are alike
  const exampleRates = labels.map((c) => rates[c].map((r) => Math.max(0, Math.min(1, r + JITTER * generator.normal()))));
  const steps: Tensor[] = [];
  for (let t = 0; t < STEPS; t++) {
    const spikes = new Float32Array(n * INPUTS);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < INPUTS; j++) spikes[i * INPUTS + j] = generator.uniform() < exampleRates[i][j] ? 1 : 0;
    }
    steps.push(tensor(spikes, { shape: [n, INPUTS] }));
  }
  return { steps, labels };
}

/** Rows `from` to `to` (exclusive) of every time step. */
function batchOf(d: SpikeData, from: number, to: number): SpikeData {
  return { steps: d.steps.map((x) => x.slice([[from, to]])), labels: d.labels.slice(from, to) };
}

// ---- the network ----

/** One LIF update: the new membrane potential and the spikes it fires. */
function lif(u: Tensor, lastSpike: Tensor, input: Tensor, spikeRule: RuleChoice): [Tensor, Tensor] {
  // reset by subtraction; the reset is detached (as snnTorch does), so gradients flow through u only
  const next = u.mul(BETA).add(input).sub(lastSpike.detach().mul(THRESHOLD));
  const spike = next.heaviside({ threshold: THRESHOLD, backward: spikeRule });
  return [next, spike];
}

class SpikingNet extends nn.Module {
  fc1 = new nn.Linear(INPUTS, HIDDEN);
  fc2 = new nn.Linear(HIDDEN, CLASSES);

  /** `spikeRule`: the heaviside's backward rule (the surrogate). */
  constructor(private readonly spikeRule: RuleChoice = SURROGATE) {
    super();
  }

  /** Takes the input of each time step; returns each output neuron's spike count, [N, CLASSES]. */
  override forward(...steps: Tensor[]): Tensor {
    const n = steps[0].shape[0];
    let u1 = zeros([n, HIDDEN]);
    let s1 = zeros([n, HIDDEN]);
    let u2 = zeros([n, CLASSES]);
    let s2 = zeros([n, CLASSES]);
    let count = zeros([n, CLASSES]);
    for (const x of steps) {
      [u1, s1] = lif(u1, s1, this.fc1.forward(x), this.spikeRule);
      [u2, s2] = lif(u2, s2, this.fc2.forward(s1), this.spikeRule);
      count = count.add(s2);
    }
    return count;
  }
}

function accuracy(counts: Tensor, labels: readonly number[]): number {
  const predicted = counts.argmax(1).toTypedArray(); // ties go to the first neuron
  return labels.filter((label, i) => predicted[i] === label).length / labels.length;
}

// ---- training ----

const dataGenerator = new Generator(1);
const rates = classRates(dataGenerator);
const train = spikeTrains(trainSize, rates, dataGenerator);
const test = spikeTrains(testSize, rates, dataGenerator);

manualSeed(0);
const model = new SpikingNet();
const optimizer = new optim.Adam(model.parameters(), { lr: 5e-3 });

console.log(`LIF network ${INPUTS}-${HIDDEN}-${CLASSES}, T = ${STEPS} steps, β = ${BETA}, surrogate: fast sigmoid (slope 25)`);
console.log(`${trainSize} training and ${testSize} test spike trains; chance is 50%`);
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`.padStart(6);
let testAccuracy = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  let lossSum = 0;
  let trainCorrect = 0;
  for (let from = 0; from < trainSize; from += batchSize) {
    const batch = batchOf(train, from, Math.min(from + batchSize, trainSize));
    optimizer.zeroGrad();
    const counts = model.forward(...batch.steps);
    const loss = counts.crossEntropy(batch.labels); // spike counts as logits
    loss.backward();
    optimizer.step();
    lossSum += loss.item() * batch.labels.length;
    trainCorrect += accuracy(counts, batch.labels) * batch.labels.length;
  }
  const testCounts = noGrad(() => model.forward(...test.steps));
  testAccuracy = accuracy(testCounts, test.labels);
  const meanRate = noGrad(() => testCounts.sum().item()) / (testSize * CLASSES * STEPS);
  console.log(
    `epoch ${String(epoch).padStart(2)}  loss ${(lossSum / trainSize).toFixed(4)}  train accuracy ${pct(trainCorrect / trainSize)}` +
      `  test accuracy ${pct(testAccuracy)}  output spikes/step ${meanRate.toFixed(2)}`,
  );
}
console.log(`final test accuracy: ${pct(testAccuracy).trim()}`);

// The same network with the heaviside's exact rule instead: its derivative is 0 wherever it
// exists, so not one gradient reaches the weights and nothing could ever be learned.
const exactNet = new SpikingNet('exact');
const probe = batchOf(train, 0, batchSize);
exactNet.forward(...probe.steps).crossEntropy(probe.labels).backward();
const gradientNorm = Math.hypot(...exactNet.parameters().flatMap((p) => (p.grad === null ? [] : Array.from(p.grad.toTypedArray()))));
console.log(`with backward 'exact' instead of the surrogate, the gradient norm is ${gradientNorm}`);
