import * as nd from '../src/nd';
import { maxPool2x2Wasm } from '../src/nd/wasm';
import { cpuMs } from './cpu-time';
const planes = 384, h = 28, w = 28, oh = 14, ow = 14;
const x = new Float32Array(planes * h * w).map(() => Math.random() - 0.5);
const out = new Float32Array(planes * oh * ow); const arg = new Int32Array(planes * oh * ow);
const s1 = nd.wrap(x, [64, 6, 28, 28]);
const p1 = { planes, h, w, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, oh, ow };
const big = new Float32Array(planes*h*w);
for (let r = 0; r < 3; r++) for (const [name, f] of [['wasm', () => maxPool2x2Wasm(x, planes, h, w, oh, ow, out, arg)], ['nd.maxPool', () => nd.maxPool(s1, p1)], ['copy1.2MB', () => big.set(x)]] as const) {
  const t0 = cpuMs(); let k = 0; while (cpuMs() - t0 < 200) { f(); k++; }
  console.log(name, ((cpuMs() - t0) / k).toFixed(3), 'ms');
}
