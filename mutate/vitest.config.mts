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
    include: [
      'test/ops/**/*.test.ts',
      'test/nd/**/*.test.ts',
      'test/autograd/**/*.test.ts',
      'test/activations/**/*.test.ts',
      'test/optim/**/*.test.ts',
      'test/nn/**/*.test.ts',
      'test/tensor.test.ts',
      'test/defaults.test.ts',
    ],
    exclude: ['test/activations/training.test.ts', 'test/nn/training.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
  },
});
