#!/usr/bin/env node
// Proves that the main entry (src/index.ts, the package's 'surrograd') can ship to a web page:
// bundles it with esbuild for `platform: 'browser'` and fails if anything it reaches imports a
// Node built-in (fs, path, os, url, module, worker_threads, node:*, ...) or reads a Node-only
// global (Buffer, process, __dirname, __filename, require) that a browser does not have.
// Node-only code belongs under src/node/ ('surrograd/node'). A file may still read a Node global
// behind a `typeof process !== 'undefined'` guard (such a file counts as guarded); `require` in
// CommonJS dependencies is the bundler's business and is not a Node global here.
//
//   node scripts/check-browser-bundle.mjs                  # src/index.ts; exit 1 lists offenders
//   node scripts/check-browser-bundle.mjs dist/index.mjs   # the built ESM entry
//   ... --imports-only                                     # skip the globals check
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const importsOnly = args.includes('--imports-only');
const entry = args.find((a) => !a.startsWith('--')) ?? 'src/index.ts';
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const NODE_GLOBALS = ['Buffer', 'process', '__dirname', '__filename', 'global', 'setImmediate'];
/**
 * Free uses of Node globals known and owned elsewhere, being replaced (file → globals). Each is
 * printed on every run; delete the entry when the file is fixed (the script says when).
 */
const PENDING = {};

const imports = [];
const nodeBuiltinImports = {
  name: 'node-builtin-imports',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      imports.push(`${path.relative(root, args.importer)} imports '${args.path}'`);
      return { path: args.path, external: true };
    });
  },
};

// each free Node global becomes a marker identifier, found afterwards per input file
const define = Object.fromEntries(NODE_GLOBALS.map((g) => [g, `__SURROGRAD_NODE_GLOBAL_${g}__`]));
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [entry],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  metafile: true,
  logLevel: 'silent',
  define,
  plugins: [nodeBuiltinImports],
});

const globals = [];
const pendingSeen = new Set();
// Re-bundle each input alone (no dependencies) to attribute marker identifiers to their file.
for (const input of importsOnly ? [] : Object.keys(result.metafile.inputs)) {
  const one = await esbuild.build({
    absWorkingDir: root, entryPoints: [input], bundle: false, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', define,
  });
  const text = one.outputFiles[0].text;
  for (const g of NODE_GLOBALS) {
    const marker = `__SURROGRAD_NODE_GLOBAL_${g}__`;
    if (!text.includes(marker) || text.includes(`typeof ${marker}`)) continue;
    if (PENDING[input]?.includes(g)) {
      pendingSeen.add(`${input}:${g}`);
      continue;
    }
    globals.push(`${input} uses the Node global '${g}'`);
  }
}

const size = result.outputFiles[0].contents.length;
const inputs = Object.keys(result.metafile.inputs).length;
for (const [file, names] of Object.entries(importsOnly ? {} : PENDING)) {
  for (const g of names) {
    if (pendingSeen.has(`${file}:${g}`)) console.log(`pending: ${file} still uses the Node global '${g}' (being replaced by its owner)`);
    else console.log(`note: ${file} no longer uses '${g}': remove it from PENDING in scripts/check-browser-bundle.mjs`);
  }
}
if (imports.length > 0 || globals.length > 0) {
  console.error(`${entry} is not browser-safe: move Node-only code to src/node/ ('surrograd/node')`);
  for (const line of [...imports, ...globals]) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`browser bundle ok: ${entry} → ${(size / 1024).toFixed(0)} KiB from ${inputs} files, no Node built-in imports${importsOnly ? '' : ' or globals'}`);
