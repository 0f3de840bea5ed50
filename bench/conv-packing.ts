// im2col vs implicit-gemm packing for conv2d's float32 forward (issue 8 asks to measure both and
// keep the faster): each layer's forward under both, interleaved in one process, in CPU time
// (process.cpuUsage: the machine is shared), with the layer's gemm alone as the reference.
//
// Run: npx ts-node bench/conv-packing.ts
import { Generator, noGrad, randn } from '../src';
import { conv2d } from '../src/ops';
import { gemm } from '../src/nd';
import { setConvPacking } from '../src/nd/wasm';
import { interleaved, table } from './util';

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const LAYERS = [
  { name: 'LeNet conv1: 64×1×28×28 → 6, 5×5 pad 2', n: 64, cin: 1, h: 28, cout: 6, k: 5, pad: 2 },
  { name: 'LeNet conv2: 64×6×14×14 → 16, 5×5', n: 64, cin: 6, h: 14, cout: 16, k: 5, pad: 0 },
  { name: '16×16×32×32 → 32, 3×3 pad 1', n: 16, cin: 16, h: 32, cout: 32, k: 3, pad: 1 },
];

const rows: string[][] = [];
for (const L of LAYERS) {
  const gen = new Generator(1);
  const x = randn([L.n, L.cin, L.h, L.h], { generator: gen });
  const w = randn([L.cout, L.cin, L.k, L.k], { generator: gen });
  const oh = L.h + 2 * L.pad - L.k + 1;
  const M = L.cout;
  const N = L.n * oh * oh;
  const K = L.cin * L.k * L.k;
  const A = new Float32Array(M * K).fill(0.5);
  const B = new Float32Array(K * N).fill(0.25);
  const C = new Float32Array(M * N);
  const run = (packing: 'im2col' | 'implicit') => (): void => {
    const previous = setConvPacking(packing);
    noGrad(() => conv2d(x, w, null, { padding: L.pad }));
    setConvPacking(previous);
  };
  const [a, b, g] = interleaved([run('im2col'), run('implicit'), () => gemm(false, false, M, N, K, A, 0, K, B, 0, N, C, 0, N, 0)], {
    reps: 11, minMs: 80, warmupMs: 600, clock: cpu,
  });
  const gf = (ms: number): string => ((2 * M * N * K) / ms / 1e6).toFixed(1);
  rows.push([L.name, `${a.toFixed(2)} ms  ${gf(a)}`, `${b.toFixed(2)} ms  ${gf(b)}`, (a / b).toFixed(2), `${g.toFixed(2)} ms  ${gf(g)}`]);
}
console.log('conv2d float32 forward, CPU ms and GFLOP/s (2·M·N·K / time)');
console.log(table(['layer', 'im2col', 'implicit', 'im2col / implicit', 'gemm alone'], rows));
