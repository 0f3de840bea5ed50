// Where this module's code lives on disk, for `createRequire`: `__filename` in CommonJS (the
// source under ts-node and vitest, and the CJS build). The ESM build replaces this file with
// `fileURLToPath(import.meta.url)` (see tsup.config.ts), so only surrograd/node's code carries
// that shim and the main entry stays free of Node imports.

/** This file's path, or undefined where the module system gives none. */
export const moduleFile: string | undefined = typeof __filename === 'string' ? __filename : undefined;
