// The test files a mutation run uses: the unit tests of the core (ops, nd, autograd, activations,
// optim, nn layers and losses, tensor, defaults). The end-to-end tests (examples, CLI, training
// runs, experiments, data loaders) are left out: each mutant would pay for them and the behaviour
// they reach is pinned by the unit tests. A mutant these tests miss counts as survived even if an
// end-to-end test would catch it, so the score is a lower bound.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    // MUTATE_TESTS=test/nd,test/ops narrows the run to these folders or files (for a file every
    // test reaches, such as src/nd/reduce.ts, where each surviving mutant would otherwise rerun
    // the whole unit suite); fewer tests can only lower a score, never raise it
    include: process.env.MUTATE_TESTS
      ? process.env.MUTATE_TESTS.split(',').map((p) => (p.endsWith('.ts') ? p : `${p.replace(/\/$/, '')}/**/*.test.ts`))
      : [
          'test/ops/**/*.test.ts',
          'test/nd/**/*.test.ts',
          'test/autograd/**/*.test.ts',
          'test/activations/**/*.test.ts',
          'test/optim/**/*.test.ts',
          'test/nn/**/*.test.ts',
          'test/tensor.test.ts',
          'test/defaults.test.ts',
          // checkpoints save rules as their parts (a blend's A, B and λ): the one reader of what blend records
          'test/checkpoint.test.ts',
        ],
    // memory.test.ts measures heap growth, which Stryker's instrumentation and per-test coverage
    // counters disturb (it fails the initial run); it pins no value a mutant could change
    exclude: ['test/activations/training.test.ts', 'test/nn/training.test.ts', 'test/autograd/memory.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
  },
});
