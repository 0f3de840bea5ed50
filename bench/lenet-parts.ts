// The LeNet step's kernels one by one (float32, batch 64), in CPU ms per call, interleaved in one
// process: which part of `npx ts-node bench/lenet-step.ts` costs what. Geometries as in
// bench/conv.ts's LeNet (conv1 1→6 5×5 pad 2 on 28×28, conv2 6→16 5×5 on 14×14, 2×2 max pools,
// 400-120-84-10).
//
// Each convolution twice: on im2col + gemm only, and with the default choice per product between
// that and the direct kernels (src/nd/wasm: `convDirectVariant`).
//
// Run: npx ts-node bench/lenet-parts.ts   (the machine is shared: run it twice)
import { Generator } from '../src';
import * as nd from '../src/nd';
import { gemm } from '../src/nd';
import { setConvDirect } from '../src/nd/wasm';
import { cpuMs } from './cpu-time';
import { interleaved, table } from './util';

const gen = new Generator(5);
const rand = (n: number): Float32Array => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = gen.uniform() - 0.5;
  return a;
};
const geom = (n: number, cb: number, cs: number, h: number, k: number, pad: number): nd.ConvGeometry => {
  const o = h + 2 * pad - k + 1;
  return { n, cb, cs, h, w: h, kh: k, kw: k, sh: 1, sw: 1, ph: pad, pw: pad, dh: 1, dw: 1, oh: o, ow: o, groups: 1 };
};
const g1 = geom(64, 1, 6, 28, 5, 2);
const g2 = geom(64, 6, 16, 14, 5, 0);
const x1 = nd.wrap(rand(64 * 784), [64, 1, 28, 28]);
const w1 = nd.wrap(rand(6 * 25), [6, 1, 5, 5]);
const b1 = nd.wrap(rand(6), [6]);
const s1 = nd.wrap(rand(64 * 6 * 784), [64, 6, 28, 28]);
const x2 = nd.wrap(rand(64 * 6 * 196), [64, 6, 14, 14]);
const w2 = nd.wrap(rand(16 * 150), [16, 6, 5, 5]);
const b2 = nd.wrap(rand(16), [16]);
const s2 = nd.wrap(rand(64 * 16 * 100), [64, 16, 10, 10]);
// bench/conv.ts's third layer, 16×64×32×32 → 64, 3×3 padding 1, as a check that the layout choice holds beyond LeNet
const g3 = geom(16, 64, 64, 32, 3, 1);
const x3 = nd.wrap(rand(16 * 64 * 1024), [16, 64, 32, 32]);
const w3 = nd.wrap(rand(64 * 576), [64, 64, 3, 3]);
const s3 = nd.wrap(rand(16 * 64 * 1024), [16, 64, 32, 32]);
const db1 = new Float32Array(6);
const db2 = new Float32Array(16);
const pg = (planes: number, h: number): nd.PoolGeometry => ({ planes, h, w: h, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, oh: h / 2, ow: h / 2 });
const p1 = pg(64 * 6, 28);
const p2 = pg(64 * 16, 10);
const arg1 = nd.maxPool(s1, p1).argmax;
const gp1 = nd.wrap(rand(64 * 6 * 196), [64 * 6, 14, 14]);
const fa = rand(64 * 400), fw = rand(400 * 120), fc = new Float32Array(64 * 120);

/** The part with the im2col path forced (false) or the default choice between it and the direct kernels (null). */
const via = (on: boolean | null, f: () => void) => (): void => {
  const previous = setConvDirect(on);
  try {
    f();
  } finally {
    setConvDirect(previous);
  }
};
const convParts: [string, number, () => void][] = [
  ['conv1 forward (+bias)', 2 * 6 * 25 * 64 * 784, () => nd.convSmall(x1, w1, g1, 'float32', null, b1)],
  ['conv1 weight+bias grad', 2 * 6 * 25 * 64 * 784, () => nd.convWgt(x1, s1, w1.shape, g1, 'float32', null, db1)],
  ['conv2 forward (+bias)', 2 * 16 * 150 * 64 * 100, () => nd.convSmall(x2, w2, g2, 'float32', null, b2)],
  ['conv2 input grad', 2 * 16 * 150 * 64 * 100, () => nd.convBig(s2, w2, g2, 'float32', true)],
  ['conv2 weight+bias grad', 2 * 16 * 150 * 64 * 100, () => nd.convWgt(x2, s2, w2.shape, g2, 'float32', null, db2)],
  ['64→64 3×3 forward', 2 * 64 * 576 * 16 * 1024, () => nd.convSmall(x3, w3, g3, 'float32')],
  ['64→64 3×3 input grad', 2 * 64 * 576 * 16 * 1024, () => nd.convBig(s3, w3, g3, 'float32', true)],
  ['64→64 3×3 weight grad', 2 * 64 * 576 * 16 * 1024, () => nd.convWgt(x3, s3, w3.shape, g3, 'float32')],
];
const parts: [string, number, () => void][] = [
  ...convParts.map(([name, flops, f]): [string, number, () => void] => [`${name}, im2col`, flops, via(false, f)]),
  ...convParts.map(([name, flops, f]): [string, number, () => void] => [`${name}, default`, flops, via(null, f)]),
  ['max-pool 1 forward', 0, () => nd.maxPool(s1, p1)],
  ['max-pool 1 backward', 0, () => nd.maxPoolBackward(gp1, arg1, p1, 'float32')],
  ['linear 64×400·400×120', 2 * 64 * 400 * 120, () => gemm(false, false, 64, 120, 400, fa, 0, 400, fw, 0, 120, fc, 0, 120, 0)],
];
for (let run = 0; run < 2; run++) {
  const ms = interleaved(parts.map((p) => p[2]), { reps: 7, minMs: 40, warmupMs: 800, clock: cpuMs, stat: 'min' });
  console.log(table(['part', 'CPU ms', 'GFLOP/s'], parts.map((p, i) => [p[0], ms[i].toFixed(3), p[1] ? (p[1] / ms[i] / 1e6).toFixed(1) : ''])));
}
