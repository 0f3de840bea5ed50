// conv2d's input gradient with a NaN or infinite weight, float32 (the direct WASM kernels' path for
// stride 1): a non-finite weight reaches only the input positions its tap touches, as the exact sums
// do — the direct kernel correlates dy with its zero padding and would have turned the whole input
// channel NaN (found in review, session 5). Oracle: the input gradient written out in float64.
import { describe, expect, it } from 'vitest';
import { conv2d, tensor } from '../../src';
import { convDirectCount } from '../../src/nd/wasm';
import { gradTensor } from '../grad';

/** dx[n, c, y, x] = Σ_o Σ_i Σ_j w[o, c, i, j]·dy[n, o, y + p − i, x + p − j] over valid outputs (stride 1, dilation 1). */
function naiveDx(w: number[], dy: number[], N: number, C: number, O: number, H: number, W: number, k: number, p: number): number[] {
  const OH = H + 2 * p - k + 1;
  const OW = W + 2 * p - k + 1;
  const dx = new Array(N * C * H * W).fill(0);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          let sum = 0;
          for (let o = 0; o < O; o++)
            for (let i = 0; i < k; i++)
              for (let j = 0; j < k; j++) {
                const oy = y + p - i;
                const ox = x + p - j;
                if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
                sum += w[((o * C + c) * k + i) * k + j] * dy[((n * O + o) * OH + oy) * OW + ox];
              }
          dx[((n * C + c) * H + y) * W + x] = sum;
        }
  return dx;
}

describe('conv2d input gradient with a non-finite weight (float32) vs the float64 sums', () => {
  for (const bad of [NaN, Infinity]) {
    it(`weight[0, 0, 0, 0] = ${bad}: non-finite only where that tap reaches, every other value as the sums`, () => {
      const N = 2, C = 1, O = 6, H = 28, W = 28, k = 5, p = 2; // LeNet's first layer, padded
      const ws = Array.from({ length: O * C * k * k }, (_, i) => Math.fround(Math.sin(i + 1) / 5));
      ws[0] = bad;
      const xs = Array.from({ length: N * C * H * W }, (_, i) => Math.fround(Math.cos(i) / 2));
      const leaf = tensor(xs, { dtype: 'float32', requiresGrad: true });
      const x = leaf.reshape([N, C, H, W]);
      const w = tensor(ws, { dtype: 'float32' }).reshape([O, C, k, k]);
      const before = convDirectCount();
      const y = conv2d(x, w, null, { padding: p });
      const dys = Array.from({ length: y.size }, (_, i) => Math.fround(((i * 7) % 13) / 13 - 0.4));
      y.mul(tensor(dys, { dtype: 'float32' }).reshape(y.shape)).sum().backward();
      expect(convDirectCount()).toBeGreaterThan(before); // the forward took the direct kernels: this geometry reaches them
      const got = Array.from(gradTensor(leaf).toTypedArray());
      const want = naiveDx(ws, dys, N, C, O, H, W, k, p);
      let nonFinite = 0;
      got.forEach((v, i) => {
        if (!Number.isFinite(want[i])) {
          nonFinite++;
          expect(Number.isNaN(v) === Number.isNaN(want[i]) && (Number.isNaN(v) || v === want[i]), `dx[${i}]: got ${v}, want ${want[i]}`).toBe(true);
        } else {
          expect(Math.abs(v - want[i]), `dx[${i}]: got ${v}, want ${want[i]}`).toBeLessThanOrEqual(1e-5);
        }
      });
      // the tap (0, 0) of a 5×5 kernel padded by 2 reaches input rows/columns 0..25 of 28: 26·26 per image
      expect(nonFinite).toBe(N * 26 * 26);
    });
  }
});
