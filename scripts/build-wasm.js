#!/usr/bin/env node
// Compiles the AssemblyScript SGEMM kernel (asm/gemm.ts) with the pinned asc and
// writes src/nd/wasm/gemm-wasm.ts: the module's bytes as a base64 string, so
// neither the tsup build nor the tests need AssemblyScript.
//
//   node scripts/build-wasm.js            (npm run build:wasm) write the file
//   node scripts/build-wasm.js --check    exit 1 if the committed file is stale
//
// Exports `compileGemmWasm()` and `renderGemmWasmModule()` for
// test/nd/gemm-wasm.test.ts, which checks the committed file against a fresh
// compile when assemblyscript is installed.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = 'asm/gemm.ts';
const OUTPUT = 'src/nd/wasm/gemm-wasm.ts';
const ASC_VERSION = '0.28.20';

/** asc options; see /work/shared/reference/wasm-kernels.md §5 for why. */
const ASC_FLAGS = [
  '--enable', 'simd', // SIMD128 only: no relaxed-simd (needs a flag in Node 20), no threads
  '-O3',
  '--runtime', 'stub', // no GC: the kernel allocates nothing
  '--importMemory', // the JS loader creates, owns and grows the memory
  '--initialMemory', '1',
  '--maximumMemory', '16384', // 1 GiB
  '--noExportMemory',
];

/** Path of asc's CLI entry, or null when assemblyscript is not installed. */
function findAsc() {
  try {
    const pkgPath = require.resolve('assemblyscript/package.json', { paths: [ROOT] });
    const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
    return { bin: path.join(path.dirname(pkgPath), 'bin', 'asc.js'), version: pkg.version };
  } catch {
    return null;
  }
}

/** Compiles asm/gemm.ts and returns the .wasm bytes. Throws if asc is missing or not the pinned version. */
function compileGemmWasm() {
  const asc = findAsc();
  if (!asc) throw new Error(`assemblyscript is not installed (npm install --no-save assemblyscript@${ASC_VERSION})`);
  if (asc.version !== ASC_VERSION) {
    throw new Error(`assemblyscript ${asc.version} is installed, but ${ASC_VERSION} is pinned`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-wasm-'));
  try {
    const out = path.join(dir, 'gemm.wasm');
    execFileSync(process.execPath, [asc.bin, SOURCE, ...ASC_FLAGS, '-o', out], { cwd: ROOT, stdio: 'pipe' });
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of src/nd/wasm/gemm-wasm.ts for the given module bytes. */
function renderGemmWasmModule(bytes) {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = [];
  for (let i = 0; i < base64.length; i += 100) lines.push(`  '${base64.slice(i, i + 100)}'`);
  return [
    '// GENERATED FILE — do not edit by hand.',
    `// From ${SOURCE} by scripts/build-wasm.js (npm run build:wasm), using assemblyscript ${ASC_VERSION}:`,
    `//   asc ${SOURCE} ${ASC_FLAGS.join(' ')} -o gemm.wasm`,
    `// ${bytes.length} bytes of WebAssembly (SIMD128), base64-encoded.`,
    '',
    'export const GEMM_WASM_BASE64 =',
    lines.join(' +\n') + ';',
    '',
  ].join('\n');
}

function main() {
  const check = process.argv.includes('--check');
  const text = renderGemmWasmModule(compileGemmWasm());
  const target = path.join(ROOT, OUTPUT);
  if (check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      console.error(`${OUTPUT} is stale: run npm run build:wasm`);
      process.exit(1);
    }
    console.log(`${OUTPUT} is up to date`);
    return;
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
  console.log(`wrote ${OUTPUT}`);
}

module.exports = { compileGemmWasm, renderGemmWasmModule, findAsc, ASC_VERSION, OUTPUT };

if (require.main === module) main();
