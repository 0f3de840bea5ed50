/**
 * GEMM throughput benchmark.
 *
 *   npx ts-node bench/matmul.ts
 *
 * Reports GFLOP/s = 2·M·N·K / seconds (median of REPS timed samples after a
 * warm-up) in float32, for the three layouts the autodiff engine uses:
 *   NN  C = A·B      (forward pass)
 *   TN  C = Aᵀ·B     (weight gradient)
 *   NT  C = A·Bᵀ     (input gradient)
 * side by side for the two kernels behind `gemm` (src/nd/gemm.ts), measured
 * interleaved in one process (sample by sample, rotating order) so machine
 * noise hits both alike:
 *   JS    gemmJs: packed 4×4, float64 accumulation
 *   WASM  gemmWasm: WebAssembly SIMD128 packed 4×8, float32 accumulation,
 *         including the copies of A, B (and C) into linear memory and back
 * plus, as a same-run reference, a naive i-k-j triple loop on 512³ NN.
 */
import { gemmJs, type FloatArray } from '../src/nd/gemm';
import { gemmWasm, wasmGemmAvailable } from '../src/nd/wasm';
import { interleaved } from './util';

const WARMUP_MS = 300;
const REPS = 9;
/** Keep small problems from being timed below timer resolution. */
const MIN_SAMPLE_MS = 20;

type Layout = 'NN' | 'TN' | 'NT';

function randomFloat32(length: number, seed: number): Float32Array {
  // Small LCG: the values don't matter, only that they are finite and nonzero.
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** GFLOP/s of each runner (each performs one M×N×K product), measured interleaved. */
function measure(flops: number, runs: readonly (() => void)[]): number[] {
  const ms = interleaved(runs, { warmupMs: WARMUP_MS, reps: REPS, minMs: MIN_SAMPLE_MS });
  return ms.map((t) => flops / (t / 1000) / 1e9);
}

/** JS and WASM GFLOP/s for one layout and shape, all operands float32. */
function benchGemm(layout: Layout, M: number, N: number, K: number): { js: number; wasm: number } {
  const transA = layout === 'TN';
  const transB = layout === 'NT';
  const A = randomFloat32(M * K, 1);
  const B = randomFloat32(K * N, 2);
  const C = new Float32Array(M * N);
  const lda = transA ? M : K; // A stored K×M when transposed
  const ldb = transB ? K : N; // B stored N×K when transposed
  const [js, wasm] = measure(2 * M * N * K, [
    () => gemmJs(transA, transB, M, N, K, A, 0, lda, B, 0, ldb, C, 0, N, 0),
    () => {
      if (!gemmWasm(transA, transB, M, N, K, A, 0, lda, B, 0, ldb, C, 0, N, 0)) throw new Error('WASM gemm unavailable');
    },
  ]);
  return { js, wasm };
}

/** The textbook i-k-j loop (row of C += a_ik · row k of B), float32 storage. */
function naiveGemmIKJ(M: number, N: number, K: number, A: FloatArray, B: FloatArray, C: FloatArray): void {
  C.fill(0);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k];
      const bRow = k * N;
      const cRow = i * N;
      for (let j = 0; j < N; j++) C[cRow + j] += a * B[bRow + j];
    }
  }
}

function benchNaive(M: number, N: number, K: number): number {
  const A = randomFloat32(M * K, 1);
  const B = randomFloat32(K * N, 2);
  const C = new Float32Array(M * N);
  return measure(2 * M * N * K, [() => naiveGemmIKJ(M, N, K, A, B, C)])[0];
}

interface Row {
  label: string;
  layout: string;
  shape: string;
  js: string;
  wasm: string;
  ratio: string;
  usWasm: string;
}

function printTable(rows: Row[]): void {
  const header = ['case', 'layout', 'M×N×K', 'JS GFLOP/s', 'WASM GFLOP/s', 'WASM/JS', 'WASM µs/call'];
  const cells = rows.map((r) => [r.label, r.layout, r.shape, r.js, r.wasm, r.ratio, r.usWasm]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const numeric = [false, false, true, true, true, true, true];
  const format = (row: string[]): string =>
    row.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(format(row));
}

export function benchMatmul(): void {
  if (!wasmGemmAvailable()) throw new Error('this engine cannot run the WASM SIMD kernel');
  const rows: Row[] = [];
  const shapes: ReadonlyArray<readonly [string, number, number, number]> = [
    ['square', 512, 512, 512],
    ['mlp', 128, 784, 256],
    ['small', 32, 64, 64],
  ];
  for (const [label, M, N, K] of shapes) {
    for (const layout of ['NN', 'TN', 'NT'] as const) {
      const { js, wasm } = benchGemm(layout, M, N, K);
      rows.push({
        label, layout, shape: `${M}×${N}×${K}`, js: js.toFixed(2), wasm: wasm.toFixed(2),
        ratio: `${(wasm / js).toFixed(1)}×`, usWasm: ((2 * M * N * K) / (wasm * 1e3)).toFixed(1),
      });
    }
  }

  const naive512 = benchNaive(512, 512, 512);
  rows.push({ label: 'naive ikj', layout: 'NN', shape: '512×512×512', js: naive512.toFixed(2), wasm: '', ratio: '', usWasm: '' });

  console.log(`gemm float32, GFLOP/s = 2MNK/s, median of ${REPS} interleaved samples after ≥${WARMUP_MS} ms warm-up ` +
    `(Node ${process.version})`);
  printTable(rows);
}

if (require.main === module) {
  benchMatmul();
}
