/**
 * GEMM throughput benchmark.
 *
 *   npx ts-node bench/matmul.ts
 *
 * Reports GFLOP/s = 2·M·N·K / seconds (median of REPS timed runs after a
 * warm-up of at least WARMUP_MS) for the packed kernel in src/nd/gemm.ts, in
 * float32, for the three layouts the autodiff engine uses:
 *   NN  C = A·B      (forward pass)
 *   TN  C = Aᵀ·B     (weight gradient)
 *   NT  C = A·Bᵀ     (input gradient)
 * plus, as a same-run reference, a naive i-k-j triple loop on 512³ NN.
 */
import { gemm, type FloatArray } from '../src/nd/gemm';

const WARMUP_MS = 300;
const REPS = 9;
/** Keep small problems from being timed below timer resolution. */
const MIN_SAMPLE_MS = 20;

type Layout = 'NN' | 'TN' | 'NT';

interface Row {
  label: string;
  layout: string;
  shape: string;
  gflops: number;
  note: string;
}

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

/**
 * Times `run` (which performs one M×N×K product) and returns the median GFLOP/s.
 * Each sample repeats `run` enough times to last ≥ MIN_SAMPLE_MS.
 */
function measure(flops: number, run: () => void): number {
  const warmupEnd = performance.now() + WARMUP_MS;
  let calls = 0;
  const warmupStart = performance.now();
  while (performance.now() < warmupEnd || calls < 2) {
    run();
    calls++;
  }
  const msPerCall = (performance.now() - warmupStart) / calls;
  const inner = Math.max(1, Math.ceil(MIN_SAMPLE_MS / msPerCall));

  const rates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) run();
    const seconds = (performance.now() - t0) / 1000;
    rates.push((flops * inner) / seconds / 1e9);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

/** Benchmarks the packed gemm for one layout and shape, all operands float32. */
function benchGemm(layout: Layout, M: number, N: number, K: number): number {
  const transA = layout === 'TN';
  const transB = layout === 'NT';
  const A = randomFloat32(M * K, 1);
  const B = randomFloat32(K * N, 2);
  const C = new Float32Array(M * N);
  const lda = transA ? M : K; // A stored K×M when transposed
  const ldb = transB ? K : N; // B stored N×K when transposed
  return measure(2 * M * N * K, () => {
    gemm(transA, transB, M, N, K, A, 0, lda, B, 0, ldb, C, 0, N, 0);
  });
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
  return measure(2 * M * N * K, () => naiveGemmIKJ(M, N, K, A, B, C));
}

function printTable(rows: Row[]): void {
  const header = ['case', 'layout', 'M×N×K', 'GFLOP/s', ''];
  const cells = rows.map((r) => [r.label, r.layout, r.shape, r.gflops.toFixed(2), r.note]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const numeric = [false, false, true, true, false];
  const format = (row: string[]): string =>
    row.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(format(row));
}

export function benchMatmul(): void {
  const rows: Row[] = [];
  const shapes: ReadonlyArray<readonly [string, number, number, number]> = [
    ['square', 512, 512, 512],
    ['mlp', 128, 784, 256],
    ['small', 32, 64, 64],
  ];
  for (const [label, M, N, K] of shapes) {
    for (const layout of ['NN', 'TN', 'NT'] as const) {
      rows.push({ label, layout, shape: `${M}×${N}×${K}`, gflops: benchGemm(layout, M, N, K), note: '' });
    }
  }

  const blocked512 = rows[0].gflops;
  const naive512 = benchNaive(512, 512, 512);
  rows.push({
    label: 'naive ikj', layout: 'NN', shape: '512×512×512', gflops: naive512,
    note: `blocked/naive = ${(blocked512 / naive512).toFixed(2)}×`,
  });

  console.log(`gemm float32, GFLOP/s = 2MNK/s, median of ${REPS} reps after ≥${WARMUP_MS} ms warm-up ` +
    `(Node ${process.version})`);
  printTable(rows);
}

if (require.main === module) {
  benchMatmul();
}
