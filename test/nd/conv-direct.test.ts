// The direct (im2col-free) float32 convolution kernels of the WASM module (asm/gemm.ts, "direct
// convolution": stride 1, one group) against float64 loops written here, one multiply-add at a
// time: the forward (+ bias), the input gradient and the weight and bias gradients of
// L = Σ dy·y. Random geometries over out channels 1…7 (odd ones leave a padding row in the 2-row
// tile), kernels whose tap count is not a multiple of 4, odd sizes, dilation, asymmetric and
// over-wide padding, batch 1…3; batches that go through the padded buffers in several chunks; and
// non-finite inputs, which the weight gradient must hand to the im2col path.
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/nd';
import { Generator } from '../../src/random';
import { type DirectVariant, convDirectCount, convDirectPays, convDirectVariant, convWasmCount, setConvDirect, wasmGemmAvailable } from '../../src/nd/wasm';

interface Case {
  g: nd.ConvGeometry;
  /** Padding after (bottom, right): only changes oh / ow. */
  after: [number, number];
}

function geometry(n: number, cb: number, cs: number, h: number, w: number, kh: number, kw: number, pad: [number, number, number, number], dil: [number, number]): Case {
  const [pt, pb, pl, pr] = pad;
  const [dh, dw] = dil;
  const oh = h + pt + pb - dh * (kh - 1);
  const ow = w + pl + pr - dw * (kw - 1);
  return { g: { n, cb, cs, h, w, kh, kw, sh: 1, sw: 1, ph: pt, pw: pl, dh, dw, oh, ow, groups: 1 }, after: [pb, pr] };
}

/** y = W ⋆ x + b, and for L = Σ dy·y: dx, dW, db — each from its definition, in float64. */
function naive(g: nd.ConvGeometry, x: Float32Array, w: Float32Array, b: Float32Array, dy: Float32Array) {
  const { n, cb, cs, h, w: W, kh, kw, ph, pw, dh, dw, oh, ow } = g;
  const y = new Float64Array(n * cs * oh * ow);
  const dx = new Float64Array(x.length);
  const dW = new Float64Array(w.length);
  const db = new Float64Array(cs);
  for (let img = 0; img < n; img++) {
    for (let o = 0; o < cs; o++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const at = ((img * cs + o) * oh + oy) * ow + ox;
          const u = dy[at];
          let acc = b[o];
          db[o] += u;
          for (let c = 0; c < cb; c++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const yy = oy - ph + i * dh;
                const xx = ox - pw + j * dw;
                if (yy < 0 || yy >= h || xx < 0 || xx >= W) continue;
                const xi = ((img * cb + c) * h + yy) * W + xx;
                const wi = ((o * cb + c) * kh + i) * kw + j;
                acc += x[xi] * w[wi];
                dx[xi] += u * w[wi];
                dW[wi] += u * x[xi];
              }
            }
          }
          y[at] = acc;
        }
      }
    }
  }
  return { y, dx, dW, db };
}

function random(length: number, gen: Generator): Float32Array {
  const a = new Float32Array(length);
  for (let i = 0; i < length; i++) a[i] = gen.uniform() * 2 - 1;
  return a;
}

/** |actual − expected| ≤ 2e-6·(Σ|terms| scale): float32 rounding of sums of up to a few thousand terms. */
function expectNear(actual: ArrayLike<number>, expected: Float64Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 1e-30;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst / scale, `${what}: worst at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThan(1e-5);
}

function runDirect<T>(f: () => T, variant: DirectVariant | true = true): T {
  const previous = setConvDirect(variant);
  try {
    return f();
  } finally {
    setConvDirect(previous);
  }
}

/** Both layouts of the direct kernels on one geometry. */
function check(c: Case, seed: number): void {
  checkVariant(c, seed, 'rows');
  checkVariant(c, seed, 'channels');
}

/**
 * `before`, if given, runs before each of the three products (see the stale-memory test), and
 * runs `beforeRuns` direct convolutions itself.
 */
function checkVariant(c: Case, seed: number, variant: DirectVariant, before: () => void = () => {}, beforeRuns = 0): void {
  const { g } = c;
  const gen = new Generator(seed);
  const x = random(g.n * g.cb * g.h * g.w, gen);
  const w = random(g.cs * g.cb * g.kh * g.kw, gen);
  const b = random(g.cs, gen);
  const dy = random(g.n * g.cs * g.oh * g.ow, gen);
  const ref = naive(g, x, w, b, dy);
  const xs = nd.wrap(x, [g.n, g.cb, g.h, g.w]);
  const ws = nd.wrap(w, [g.cs, g.cb, g.kh, g.kw]);
  const dys = nd.wrap(dy, [g.n, g.cs, g.oh, g.ow]);
  const db = new Float32Array(g.cs);
  const runs = convDirectCount();
  const im2colRuns = convWasmCount();
  const [y, dx, dW] = runDirect(() => {
    before();
    const fwd = nd.convSmall(xs, ws, g, 'float32', null, nd.wrap(b, [g.cs]));
    before();
    const inp = nd.convBig(dys, ws, g, 'float32');
    before();
    return [fwd, inp, nd.convWgt(xs, dys, ws.shape, g, 'float32', null, db)];
  }, variant);
  expect(convDirectCount() - runs).toBe(3 * (1 + beforeRuns));
  expect(convWasmCount() - im2colRuns).toBe(0);
  expectNear(y.data, ref.y, `${variant}: y`);
  expectNear(dx.data, ref.dx, `${variant}: dx`);
  expectNear(dW.data, ref.dW, `${variant}: dW`);
  expectNear(db, ref.db, `${variant}: db`);
}

describe.runIf(wasmGemmAvailable())('direct float32 convolution kernels equal float64 loops', () => {
  it('LeNet conv1 (padding 2) and conv2 shapes, batch 3', () => {
    check(geometry(3, 1, 6, 28, 28, 5, 5, [2, 2, 2, 2], [1, 1]), 1);
    check(geometry(3, 6, 16, 14, 14, 5, 5, [0, 0, 0, 0], [1, 1]), 2);
  });

  it('out channels 1…7 with odd sizes, kernels of 1×1…3×4 taps (tap counts not multiples of 4), batch 1…3', () => {
    const gen = new Generator(77);
    const kernels: [number, number][] = [[1, 1], [1, 3], [3, 1], [2, 3], [3, 3], [3, 4], [2, 2]];
    for (let cs = 1; cs <= 7; cs++) {
      const [kh, kw] = kernels[cs - 1];
      const cb = 1 + (cs % 3);
      const n = 1 + (cs % 3);
      const h = 5 + 2 * gen.int(4);
      const w = 4 + gen.int(9);
      check(geometry(n, cb, cs, h, w, kh, kw, [cs % 2, (cs + 1) % 3, cs % 3, cs % 2], [1, 1]), 100 + cs);
    }
  });

  it('dilation, asymmetric padding (as an even "same"), padding wider than the kernel reach', () => {
    check(geometry(2, 3, 4, 12, 14, 3, 3, [3, 3, 3, 3], [2, 3]), 11);
    check(geometry(2, 2, 3, 7, 10, 4, 2, [1, 2, 0, 1], [1, 1]), 12);
    // every input row and column sees some all-zero windows; the input gradient's padded dy is cropped
    check(geometry(1, 2, 2, 3, 4, 2, 2, [3, 3, 3, 3], [1, 1]), 13);
    check(geometry(2, 1, 5, 1, 9, 1, 4, [0, 0, 2, 1], [1, 2]), 14);
    // 20 channels: a 16-channel block and an 8-channel one (4 of them padding); odd widths
    check(geometry(2, 3, 20, 9, 11, 3, 2, [1, 0, 0, 1], [1, 1]), 15);
    check(geometry(1, 2, 32, 7, 5, 2, 3, [0, 1, 1, 1], [2, 1]), 16);
  });

  it('batches that go through the padded buffers in several chunks (the last one short)', () => {
    // one 1×120×126 image with 8 out channels fills more than half a chunk: 3 images → 3 chunks
    check(geometry(3, 1, 8, 120, 126, 3, 3, [1, 1, 1, 1], [1, 1]), 21);
  });

  it('stale values in the module memory never reach the padded buffers (only their gaps are zeroed, not the whole buffer)', () => {
    // a direct forward of a 1×1×160×160 image of 1e30s leaves 1e30 over the region where every
    // later call stages and pads its operands: a margin, row tail or plane gap that was not
    // zeroed would put 1e30 into a sum
    const big = geometry(1, 1, 2, 160, 160, 3, 3, [1, 1, 1, 1], [1, 1]).g;
    const poison = (): void => {
      const before = convDirectCount();
      nd.convSmall(nd.wrap(new Float32Array(160 * 160).fill(1e30), [1, 1, 160, 160]), nd.wrap(new Float32Array(18).fill(1e-3), [2, 1, 3, 3]), big, 'float32');
      expect(convDirectCount() - before).toBe(1);
    };
    const cases: [Case, number][] = [
      [geometry(1, 1, 6, 28, 28, 5, 5, [2, 2, 2, 2], [1, 1]), 31], // LeNet conv1, batch 1: K = 25 (one tap past the 2×4 tiles)
      [geometry(2, 6, 16, 14, 14, 5, 5, [0, 0, 0, 0], [1, 1]), 32],
      [geometry(1, 2, 3, 7, 9, 3, 3, [1, 2, 0, 1], [1, 1]), 33], // K = 18, odd channel count (a zero row in the tile)
      [geometry(3, 1, 5, 6, 11, 2, 3, [0, 1, 2, 0], [1, 2]), 34], // K = 6, dilation
      [geometry(1, 3, 9, 5, 6, 1, 1, [1, 1, 1, 1], [1, 1]), 35], // K = 3: no 2×4 tile at all
    ];
    for (const [c, seed] of cases) {
      checkVariant(c, seed, 'rows', poison, 1);
      checkVariant(c, seed, 'channels', poison, 1);
    }
  });

  it('the weight gradient of an input holding ±∞ or NaN is left to im2col (no 0·∞ from the extra positions)', () => {
    // W − 1 is read by tap j = 0 only from an extra position (ox ≥ OW), where dy is 0
    const { g } = geometry(2, 2, 3, 6, 7, 3, 3, [0, 0, 0, 0], [1, 1]);
    const gen = new Generator(5);
    for (const [bad, variant] of [[Infinity, 'rows'], [-Infinity, 'channels'], [NaN, 'rows'], [NaN, 'channels']] as const) {
      const x = random(g.n * g.cb * g.h * g.w, gen);
      x[(1 * g.cb + 1) * g.h * g.w + 2 * g.w + (g.w - 1)] = bad; // image 1, channel 1, row 2, last column
      const w = random(g.cs * g.cb * g.kh * g.kw, gen);
      const dy = random(g.n * g.cs * g.oh * g.ow, gen);
      const ref = naive(g, x, w, new Float32Array(g.cs), dy);
      const before = convDirectCount();
      const dW = runDirect(() => nd.convWgt(nd.wrap(x, [g.n, g.cb, g.h, g.w]), nd.wrap(dy, [g.n, g.cs, g.oh, g.ow]), [g.cs, g.cb, g.kh, g.kw], g, 'float32'), variant);
      expect(convDirectCount() - before).toBe(0);
      const finite = Array.from(ref.dW, (v, i) => [v, dW.data[i]] as const);
      // the same entries are non-finite (and of the same kind), the rest agree
      for (const [e, a] of finite) {
        if (Number.isFinite(e)) expect(Math.abs(a - e)).toBeLessThan(1e-4);
        else expect(a).toBe(e);
      }
      expect(finite.some(([e]) => !Number.isFinite(e))).toBe(true);
      expect(finite.some(([e]) => Number.isFinite(e))).toBe(true);
    }
  });

  it('chooses a direct layout by default only where few computed positions are wasted', () => {
    // LeNet conv1 (28 of 32 columns useful): rows for all three products
    const conv1 = geometry(64, 1, 6, 28, 28, 5, 5, [2, 2, 2, 2], [1, 1]).g;
    expect(convDirectPays(conv1)).toBe(true);
    expect(['forward', 'input', 'weight'].map((p) => convDirectVariant(conv1, p as 'forward'))).toEqual(['rows', 'rows', 'rows']);
    // LeNet conv2 (10 of 14 columns): 16 channels as lanes for the forward and weight gradient;
    // its input gradient (6 channels, 14 of 16 positions) stays on im2col
    const conv2 = geometry(64, 6, 16, 14, 14, 5, 5, [0, 0, 0, 0], [1, 1]).g;
    expect(['forward', 'input', 'weight'].map((p) => convDirectVariant(conv2, p as 'forward'))).toEqual(['channels', null, 'channels']);
    expect(convDirectPays(conv2)).toBe(false);
    // a 64-channel 34×34 padded image does not stay in L1: im2col's packed panels win
    const wide = geometry(16, 64, 64, 32, 32, 3, 3, [1, 1, 1, 1], [1, 1]).g;
    expect(['forward', 'input', 'weight'].map((p) => convDirectVariant(wide, p as 'forward'))).toEqual([null, null, null]);
    const strided = geometry(2, 3, 4, 30, 30, 3, 3, [1, 1, 1, 1], [1, 1]).g;
    expect(convDirectPays({ ...strided, sh: 2, oh: 15 })).toBe(false);
    expect(convDirectPays({ ...strided, groups: 3, cs: 3 })).toBe(false);
  });
});
