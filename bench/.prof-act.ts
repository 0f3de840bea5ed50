import { Tensor } from '../src/tensor';
import * as nd from '../src/nd';
import { randn, onesLike } from '../src/creation';
const x = randn([128, 256], { requiresGrad: true });
const seed = onesLike(x);
const n = x.size;
function med(a: number[]) { a.sort((p, q) => p - q); return a[a.length >> 1]; }
for (const rule of ['exact', 'sigmoid', 'leaky', 'exact', 'sigmoid']) {
  const f: number[] = [], b: number[] = [];
  for (let r = 0; r < 400; r++) {
    x.grad = null;
    const t = performance.now();
    const y = x.relu({ backward: rule });
    const t1 = performance.now();
    y.backward(seed);
    f.push(t1 - t); b.push(performance.now() - t1);
  }
  console.log(rule.padEnd(8), 'fwd ns/elem', (med(f) * 1e6 / n).toFixed(2), 'bwd ns/elem', (med(b) * 1e6 / n).toFixed(2));
}
// raw loops for reference
const xs = x.toTypedArray(); const out = new Float32Array(n); const g = new Float32Array(n).fill(1);
const sig = (v: number) => v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
for (let k = 0; k < 2; k++) {
  const t: number[] = [], s: number[] = [];
  for (let r = 0; r < 400; r++) {
    let a = performance.now(); for (let i = 0; i < n; i++) out[i] = g[i] * (xs[i] > 0 ? 1 : 0); t.push(performance.now() - a);
    a = performance.now(); for (let i = 0; i < n; i++) out[i] = g[i] * sig(xs[i]); s.push(performance.now() - a);
  }
  console.log('raw loop step ns/elem', (med(t) * 1e6 / n).toFixed(2), 'raw loop sigmoid ns/elem', (med(s) * 1e6 / n).toFixed(2));
}
