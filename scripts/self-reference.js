// Lets the repo's own programs (examples, bench) import 'surrograd' and 'surrograd/node' from
// the TypeScript source under ts-node, without a prior build, so each example reads exactly as
// it would in a user's project. tsconfig.json's "ts-node": { "require" } loads this file; tsc
// and vitest get the same mapping from tsconfig "paths" and vitest.config.mts "resolve.alias".
// Installed packages are not affected: in a user's project 'surrograd' resolves to its dist/.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SOURCES = {
  surrograd: path.join(root, 'src', 'index.ts'),
  'surrograd/node': path.join(root, 'src', 'node', 'index.ts'),
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveSelf(request, ...rest) {
  if (Object.prototype.hasOwnProperty.call(SOURCES, request)) return SOURCES[request];
  return resolveFilename.call(this, request, ...rest);
};
