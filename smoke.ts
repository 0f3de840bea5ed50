import { tuneRules, formatTuneTable } from './src/node';
(async () => {
  const r = await tuneRules({ dataset: 'xor', datasetOptions: { trainSize: 96, testSize: 64 }, activation: 'relu', depth: 2, width: 6, epochs: 2, batchSize: 16, seeds: 3,
    space: { rules: ['exact', 'leaky', { factory: 'leakyBackward', params: { c: [0.01] } }, { factory: 'sigmoidShaped', params: { k: { min: 0.5, max: 2, n: 2 } } }], lrs: [0.3, 1e9] }, workers: Number(process.argv[2]) });
  console.log(formatTuneTable(r)); console.log(JSON.stringify(r.rounds));
  for (const c of r.candidates) console.log(c.id, c.trials.map(t => [t.testAccuracy, t.diverged]));
})();
