// The worker-thread entry of the study's trial pool: TypeScript sources are compiled on load with
// ts-node (the project's tsconfig: swc, transpile only), then each task is one trial.
require('ts-node').register({ transpileOnly: true, swc: true });
const { runTrial } = require('./trial.ts');
module.exports = (spec) => runTrial(spec);
