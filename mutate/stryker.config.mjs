// StrykerJS configuration for `npm run mutate` (run from the repository root by mutate/run.sh).
// Not part of CI: a full run takes about 45 minutes on 2 cores. See README "Mutation testing".

/**
 * Mutants that no test can kill because the program behaves the same with them, each with the
 * reason. Stryker still runs them (it cannot skip one mutant of a node and keep the others);
 * `node mutate/score.mjs` takes them out of the score and reports any entry that stopped matching.
 * An entry names the file, the mutator, the source text replaced and its replacement.
 */
export const equivalentMutants = [
  // ---- src/ops/arithmetic.ts ----
  {
    file: 'src/ops/arithmetic.ts', mutator: 'EqualityOperator', original: 'p >= q', replacement: 'p > q',
    reason: 'maximum on a tie: p and q are equal, so returning q instead of p gives the same value',
  },
  {
    file: 'src/ops/arithmetic.ts', mutator: 'EqualityOperator', original: 'p <= q', replacement: 'p < q',
    reason: 'minimum on a tie: p and q are equal, so returning q instead of p gives the same value',
  },
  {
    file: 'src/ops/arithmetic.ts', mutator: 'EqualityOperator', original: '(x - y) * sign > 0', replacement: '(x - y) * sign >= 0',
    reason: 'x === y is handled first, and x − y is 0 only when x === y (NaN compares false both ways)',
  },
  {
    file: 'src/ops/arithmetic.ts', mutator: 'ArithmeticOperator', original: '(x - y) * sign', replacement: '(x - y) / sign',
    reason: 'sign is 1 or −1, so multiplying and dividing by it are the same',
  },
  // ---- src/ops/reduce.ts ----
  {
    file: 'src/ops/reduce.ts', mutator: 'ConditionalExpression', original: 'y !== y', replacement: 'true',
    reason: 'isHit: x is NaN only in a group whose extreme y is NaN too (NaN propagates), so the y test never decides',
  },
  // ---- src/optim/adam.ts ----
  {
    file: 'src/optim/adam.ts', mutator: 'EqualityOperator', original: 'i < n', replacement: 'i <= n',
    reason: 'the two update loops over typed arrays: the extra iteration i = n reads undefined and writes out of bounds, which typed arrays ignore',
  },
  {
    file: 'src/optim/adam.ts', mutator: 'EqualityOperator', original: 'vmax[i] > vi', replacement: 'vmax[i] >= vi',
    reason: 'the running maximum on a tie: both branches give the same value',
  },
  // ---- src/optim/sgd.ts ----
  {
    file: 'src/optim/sgd.ts', mutator: 'EqualityOperator', original: 'i < n', replacement: 'i <= n',
    reason: 'the three update loops over typed arrays: the extra iteration i = n reads undefined and writes out of bounds, which typed arrays ignore',
  },
];

/** The core files (issue 15). Pass `--mutate <file>` to run a subset. */
export const coreFiles = [
  'src/autograd/tape.ts',
  'src/ops/arithmetic.ts',
  'src/ops/reduce.ts',
  'src/ops/linalg.ts',
  'src/ops/loss.ts',
  'src/activations/engine.ts',
  'src/activations/registry.ts',
  'src/activations/rules.ts',
  'src/optim/adam.ts',
  'src/optim/sgd.ts',
  'src/nd/elementwise.ts',
  'src/nd/reduce.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: coreFiles,
  testRunner: 'vitest',
  vitest: { configFile: 'mutate/vitest.config.mts', related: true },
  coverageAnalysis: 'perTest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // message strings are not behaviour (error classes and values are asserted instead)
  mutator: { excludedMutations: ['StringLiteral'] },
  // the machine is shared: one test-runner process
  concurrency: 1,
  timeoutMS: 20000,
  // info, never debug: at debug level the vitest runner serialises its whole resolved config
  logLevel: 'info',
  fileLogLevel: 'off',
  reporters: ['clear-text', 'progress', 'json'],
  // MUTATE_REPORT names the JSON report (mutate/score.mjs reads it); one per file keeps per-file runs apart
  jsonReporter: { fileName: process.env.MUTATE_REPORT ?? 'mutate/reports/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  tempDirName: 'mutate/.stryker-tmp',
  cleanTempDir: true,
  // everything in mutate/ stays out of the sandbox except the vitest config the runner loads
  ignorePatterns: ['/mutate/*', '!/mutate/vitest.config.mts', 'dist', 'coverage', 'runs', 'bench', '.vitest'],
  ignoreStatic: true,
  // only our TypeScript sources are instrumented; asm/ is AssemblyScript, which babel cannot parse
  disableTypeChecks: 'src/**/*.ts',
  incremental: false,
};
