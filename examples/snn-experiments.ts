// The three experiments of spiking and binarized networks, from code (the CLI's `surrograd snn`
// runs the same functions and also writes JSON and SVG):
//
//   1. spiking MNIST: a 784-1000-10 LIF network, one row per heaviside rule (surrogate), and the
//      exact rule, whose zero derivative leaves the network untrained (chance, 10%);
//   2. the spiking toy task: random labels memorised by 4 hidden LIF units from Poisson inputs,
//      exact vs fastSigmoid(100) vs atan — the classic demonstration that the exact gradient
//      cannot train a spiking net;
//   3. binarized MNIST: a BinaryNet-style MLP and CNN with each sign rule, and full precision.
//
// Run:   npx ts-node examples/snn-experiments.ts      (add --small, or set SURROGRAD_BUDGET=small,
//                                                     for a few seconds' budget)
import { binarizedMnist, formatExperimentTable, spikingMnist, spikingToy } from 'surrograd/node';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');

const mnist = small
  ? spikingMnist({ rules: ['atan', 'fastSigmoid', 'exact'], seeds: [1], trainSize: 256, testSize: 128, hidden: 64, steps: 10 })
  : spikingMnist({ seeds: [1] });
console.log(`${formatExperimentTable(mnist)}\n`);

const toy = small ? spikingToy({ seeds: [1], iterations: 5, batchSize: 32, steps: 50 }) : spikingToy({ seeds: [1], iterations: 300 });
console.log(`${formatExperimentTable(toy)}\n`);

const binarized = small
  ? binarizedMnist({ seeds: [1], rules: ['clippedStraightThrough', 'fullPrecision'], trainSize: 300, testSize: 100, hidden: 32, epochs: 1 })
  : binarizedMnist({ seeds: [1] });
console.log(formatExperimentTable(binarized));

const exact = mnist.rows.find((r) => r.name === 'exact');
console.log(`\nspiking MNIST with the exact rule: ${(100 * (exact?.accuracy.mean ?? Number.NaN)).toFixed(1)}% (no gradient reaches any weight)`);
