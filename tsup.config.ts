import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * ESM has no `__filename`: src/node/module-file.ts becomes `fileURLToPath(import.meta.url)`
 * there. Done per file rather than with tsup's `shims`, whose shim would land in the chunk the
 * two entries share and give the browser-safe main entry `path` and `url` imports.
 */
const esmModuleFile: Plugin = {
  name: 'esm-module-file',
  setup(build) {
    // with splitting, tsup builds the CJS output as ESM too and converts it after: tell them
    // apart by the file extension (.mjs is the ESM build)
    if (build.initialOptions.outExtension?.['.js'] !== '.mjs') return;
    build.onResolve({ filter: /\/module-file$/ }, (args) => ({ path: args.path, namespace: 'esm-module-file' }));
    build.onLoad({ filter: /.*/, namespace: 'esm-module-file' }, () => ({
      contents: "import { fileURLToPath } from 'node:url';\nexport const moduleFile = fileURLToPath(import.meta.url);\n",
      loader: 'js',
    }));
  },
};

export default defineConfig([
  {
    // 'surrograd' (runs anywhere) and 'surrograd/node' (files, dataset packages). One build with
    // code splitting for both formats, so the two entries share one copy of the library (one
    // Tensor class, one Module class, one rule registry) instead of each bundling its own.
    entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
    format: ['esm', 'cjs'],
    splitting: true,
    // declarations: tsc -p tsconfig.build.json (npm run build), see there why
    dts: false,
    sourcemap: true,
    clean: true,
    target: 'node20',
    esbuildPlugins: [esmModuleFile],
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
