import { Generator } from '../src';
import * as nd from '../src/nd';
import { setConvDirect } from '../src/nd/wasm';
import { cpuMs } from './cpu-time';
import { interleaved } from './util';
const gen = new Generator(5);
const rand = (n: number): Float32Array => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = gen.uniform() - 0.5; return a; };
const geom = (n: number, cb: number, cs: number, h: number, k: number, pad: number): nd.ConvGeometry => {
  const o = h + 2 * pad - k + 1;
  return { n, cb, cs, h, w: h, kh: k, kw: k, sh: 1, sw: 1, ph: pad, pw: pad, dh: 1, dw: 1, oh: o, ow: o, groups: 1 };
};
const g2 = geom(64, 6, 16, 14, 5, 0);
const w2 = nd.wrap(rand(16 * 150), [16, 6, 5, 5]);
const s2 = nd.wrap(rand(64 * 16 * 100), [64, 16, 10, 10]);
const x2 = nd.wrap(rand(64 * 6 * 196), [64, 6, 14, 14]);
const via = (on: any, f: () => void) => (): void => { const p = setConvDirect(on); try { f(); } finally { setConvDirect(p); } };
const fs: [string, () => void][] = [
  ['input im2col', via(false, () => nd.convBig(s2, w2, g2, 'float32', true))],
  ['input rows', via('rows', () => nd.convBig(s2, w2, g2, 'float32', true))],
  ['input channels', via('channels', () => nd.convBig(s2, w2, g2, 'float32', true))],
  ['fwd im2col', via(false, () => nd.convSmall(x2, w2, g2, 'float32'))],
  ['fwd rows', via('rows', () => nd.convSmall(x2, w2, g2, 'float32'))],
  ['fwd channels', via('channels', () => nd.convSmall(x2, w2, g2, 'float32'))],
  ['fwd default', via(null, () => nd.convSmall(x2, w2, g2, 'float32'))],
];
for (let r = 0; r < 2; r++) { const ms = interleaved(fs.map((f) => f[1]), { reps: 7, minMs: 40, warmupMs: 500, clock: cpuMs, stat: 'min' }); console.log(fs.map((f, i) => `${f[0]} ${ms[i].toFixed(3)}`).join(' | ')); }
