// Convolution and pooling forward values against naive loops written here (the definitions, one
// multiply-add at a time), in float64 and in float32 (the WebAssembly gemm path), the arg-max
// tie-breaking of max pooling, and the errors for bad input (thrown before anything is recorded).
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/ops';
import { randn, tensor, zeros } from '../../src/creation';
import { Generator } from '../../src/random';
import { ArgumentError, ShapeError } from '../../src/errors';
import { setConvChunkElements } from '../../src/nd';
import type { Tensor } from '../../src/tensor';
import { expectClose, flat, gradOf } from './helpers';

interface RefConv {
  stride?: [number, number];
  pad?: [number, number, number, number]; // top, bottom, left, right
  dilation?: [number, number];
  groups?: number;
}

/** y[n, o, i, j] = b[o] + Σ_{c, p, q} x[n, g·Cg + c, i·sh − pt + p·dh, j·sw − pl + q·dw] · w[o, c, p, q]. */
function naiveConv2d(x: Tensor, w: Tensor, b: Tensor | null, o: RefConv): { values: number[]; shape: number[] } {
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const [sh, sw] = o.stride ?? [1, 1];
  const [pt, pb, pl, pr] = o.pad ?? [0, 0, 0, 0];
  const [dh, dw] = o.dilation ?? [1, 1];
  const G = o.groups ?? 1;
  const OH = Math.floor((H + pt + pb - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (KW - 1) - 1) / sw) + 1;
  const xv = flat(x);
  const wv = flat(w);
  const bv = b === null ? null : flat(b);
  const og = O / G;
  const values: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < O; oc++) {
      const g = Math.floor(oc / og);
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          let acc = bv === null ? 0 : bv[oc];
          for (let c = 0; c < Cg; c++) {
            for (let p = 0; p < KH; p++) {
              for (let q = 0; q < KW; q++) {
                const y = i * sh - pt + p * dh;
                const xx = j * sw - pl + q * dw;
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                acc += xv[((n * C + g * Cg + c) * H + y) * W + xx] * wv[((oc * Cg + c) * KH + p) * KW + q];
              }
            }
          }
          values.push(acc);
        }
      }
    }
  }
  return { values, shape: [N, O, OH, OW] };
}

/** The scatter definition: every x[n, ci, i, j]·w[ci, co, p, q] lands on y[n, g·Cog + co, i·s − pad + p·d, ...]. */
function naiveConvTranspose2d(
  x: Tensor, w: Tensor, b: Tensor | null, s: [number, number], pad: [number, number], op: [number, number], d: [number, number], G: number,
): { values: number[]; shape: number[] } {
  const [N, Ci, H, W] = x.shape;
  const [, Cog, KH, KW] = w.shape;
  const Co = Cog * G;
  const OH = (H - 1) * s[0] - 2 * pad[0] + d[0] * (KH - 1) + op[0] + 1;
  const OW = (W - 1) * s[1] - 2 * pad[1] + d[1] * (KW - 1) + op[1] + 1;
  const xv = flat(x);
  const wv = flat(w);
  const y = new Array<number>(N * Co * OH * OW).fill(0);
  const cig = Ci / G;
  for (let n = 0; n < N; n++) {
    for (let ci = 0; ci < Ci; ci++) {
      const g = Math.floor(ci / cig);
      for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
        for (let co = 0; co < Cog; co++) for (let p = 0; p < KH; p++) for (let q = 0; q < KW; q++) {
          const oy = i * s[0] - pad[0] + p * d[0];
          const ox = j * s[1] - pad[1] + q * d[1];
          if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
          y[((n * Co + g * Cog + co) * OH + oy) * OW + ox] += xv[((n * Ci + ci) * H + i) * W + j] * wv[((ci * Cog + co) * KH + p) * KW + q];
        }
      }
    }
  }
  if (b !== null) {
    const bv = flat(b);
    for (let k = 0; k < y.length; k++) y[k] += bv[Math.floor(k / (OH * OW)) % Co];
  }
  return { values: y, shape: [N, Co, OH, OW] };
}

const gen = (seed: number): { generator: Generator; dtype: 'float64' } => ({ generator: new Generator(seed), dtype: 'float64' });

describe('conv2d forward equals the naive loop', () => {
  const cases: { name: string; x: number[]; w: number[]; bias: boolean; opts: ops.ConvOptions; ref: RefConv }[] = [
    { name: 'plain, with bias', x: [2, 3, 6, 5], w: [4, 3, 3, 3], bias: true, opts: {}, ref: {} },
    { name: 'stride [2, 3], padding [1, 2]', x: [2, 2, 7, 9], w: [3, 2, 3, 2], bias: true, opts: { stride: [2, 3], padding: [1, 2] }, ref: { stride: [2, 3], pad: [1, 1, 2, 2] } },
    { name: 'dilation 2, padding 2, batch 1', x: [1, 2, 8, 8], w: [2, 2, 3, 3], bias: false, opts: { dilation: 2, padding: 2 }, ref: { dilation: [2, 2], pad: [2, 2, 2, 2] } },
    { name: 'groups 3', x: [2, 6, 5, 5], w: [9, 2, 2, 2], bias: true, opts: { groups: 3 }, ref: { groups: 3 } },
    { name: 'depthwise', x: [2, 4, 6, 6], w: [4, 1, 3, 3], bias: true, opts: { groups: 4, padding: 1, stride: 2 }, ref: { groups: 4, pad: [1, 1, 1, 1], stride: [2, 2] } },
    { name: "'same', even kernel (extra padding after)", x: [1, 2, 5, 6], w: [3, 2, 4, 2], bias: false, opts: { padding: 'same' }, ref: { pad: [1, 2, 0, 1] } },
    { name: "'valid'", x: [1, 1, 4, 4], w: [1, 1, 4, 4], bias: false, opts: { padding: 'valid' }, ref: {} },
  ];
  for (const c of cases) {
    it(`${c.name} (float64)`, () => {
      const x = randn(c.x, gen(1));
      const w = randn(c.w, gen(2));
      const b = c.bias ? randn([c.w[0]], gen(3)) : null;
      const y = ops.conv2d(x, w, b, c.opts);
      const ref = naiveConv2d(x, w, b, c.ref);
      expect(y.shape).toEqual(ref.shape);
      expectClose(y, ref.values, 1e-12);
    });
  }

  it('float32 products large enough for the WebAssembly gemm match the float64 loop (relative 1e-5)', () => {
    const x = randn([2, 6, 14, 13], { generator: new Generator(4) });
    const w = randn([16, 3, 3, 3], { generator: new Generator(5) });
    const b = randn([16], { generator: new Generator(6) });
    const y = ops.conv2d(x, w, b, { groups: 2, padding: 1, stride: [1, 2] });
    expect(y.dtype).toBe('float32');
    const ref = naiveConv2d(x, w, b, { groups: 2, pad: [1, 1, 1, 1], stride: [1, 2] });
    const scale = Math.max(...ref.values.map(Math.abs));
    expectClose(y, ref.values, 1e-5 * scale);
  });

  it('conv1d equals conv2d on a height-1 input', () => {
    const x = randn([2, 3, 11], gen(7));
    const w = randn([4, 3, 3], gen(8));
    const y = ops.conv1d(x, w, null, { stride: 2, padding: 2, dilation: 2 });
    const ref = naiveConv2d(ops.unsqueeze(x, 2), ops.unsqueeze(w, 2), null, { stride: [1, 2], pad: [0, 0, 2, 2], dilation: [1, 2] });
    expect(y.shape).toEqual([2, 4, ref.shape[3]]);
    expectClose(y, ref.values, 1e-12);
  });

  it('a mixed float32 input and float64 weight promote to float64, and gradients keep each input\'s dtype', () => {
    const x = randn([1, 2, 4, 4], { requiresGrad: true });
    const w = randn([2, 2, 3, 3], { dtype: 'float64', requiresGrad: true });
    const y = ops.conv2d(x, w);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(x.grad?.dtype).toBe('float32');
    expect(w.grad?.dtype).toBe('float64');
  });

  it('the float32 backward (WebAssembly gemm) matches float64 gradients', () => {
    const x64 = randn([3, 4, 10, 10], { ...gen(9), requiresGrad: true });
    const w64 = randn([8, 4, 3, 3], { ...gen(10), requiresGrad: true });
    const b64 = randn([8], { ...gen(11), requiresGrad: true });
    const x32 = x64.detach().to('float32').requiresGrad_();
    const w32 = w64.detach().to('float32').requiresGrad_();
    const b32 = b64.detach().to('float32').requiresGrad_();
    const up = randn([3, 8, 5, 5], gen(12));
    ops.conv2d(x64, w64, b64, { stride: 2, padding: 1 }).mul(up).sum().backward();
    ops.conv2d(x32, w32, b32, { stride: 2, padding: 1 }).mul(up.to('float32')).sum().backward();
    for (const [a, b] of [[x32, x64], [w32, w64], [b32, b64]] as const) {
      const ref = gradOf(b);
      const scale = Math.max(...ref.map(Math.abs));
      expectClose(gradOf(a), ref, 2e-5 * scale);
    }
  });
});

describe('conv2d on batches split into several im2col chunks', () => {
  it('forward equals the naive loop and gradients equal the per-image sums (5 images, 2 per chunk, 2 groups)', () => {
    // k·OH·OW = 2·3·3 · 6·5 = 540 column elements per image and group: chunks of 1080 hold two images
    const previous = setConvChunkElements(1080);
    try {
      const x = randn([5, 4, 6, 5], { ...gen(20), requiresGrad: true });
      const w = randn([6, 2, 3, 3], { ...gen(21), requiresGrad: true });
      const b = randn([6], { ...gen(22), requiresGrad: true });
      const up = randn([5, 6, 6, 5], gen(23));
      const opts = { padding: 1, groups: 2 };
      const y = ops.conv2d(x, w, b, opts);
      expectClose(y, naiveConv2d(x, w, b, { pad: [1, 1, 1, 1], groups: 2 }).values, 1e-10);
      y.mul(up).sum().backward();
      const dw = new Array<number>(w.size).fill(0);
      const db = new Array<number>(6).fill(0);
      for (let i = 0; i < 5; i++) {
        const xi = ops.slice(x.detach(), [[i, i + 1]]).requiresGrad_();
        const wi = w.detach().requiresGrad_();
        const bi = b.detach().requiresGrad_();
        ops.conv2d(xi, wi, bi, opts).mul(ops.slice(up, [[i, i + 1]])).sum().backward();
        expectClose(gradOf(xi), gradOf(x).slice(i * xi.size, (i + 1) * xi.size), 1e-10);
        gradOf(wi).forEach((v, j) => (dw[j] += v));
        gradOf(bi).forEach((v, j) => (db[j] += v));
      }
      expectClose(gradOf(w), dw, 1e-10);
      expectClose(gradOf(b), db, 1e-10);
    } finally {
      setConvChunkElements(previous);
    }
  });
});

describe('convTranspose2d forward equals the naive scatter', () => {
  const cases: { name: string; x: number[]; w: number[]; s: [number, number]; p: [number, number]; op: [number, number]; d: [number, number]; g: number }[] = [
    { name: 'plain', x: [2, 3, 3, 4], w: [3, 2, 3, 3], s: [1, 1], p: [0, 0], op: [0, 0], d: [1, 1], g: 1 },
    { name: 'stride 2, padding 1, outputPadding 1', x: [1, 2, 4, 3], w: [2, 3, 3, 3], s: [2, 2], p: [1, 1], op: [1, 1], d: [1, 1], g: 1 },
    { name: 'groups 2, dilation [1, 2], stride [3, 1]', x: [2, 4, 3, 3], w: [4, 3, 2, 2], s: [3, 1], p: [0, 1], op: [2, 0], d: [1, 2], g: 2 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const x = randn(c.x, gen(1));
      const w = randn(c.w, gen(2));
      const b = randn([c.w[1] * c.g], gen(3));
      const y = ops.convTranspose2d(x, w, b, { stride: c.s, padding: c.p, outputPadding: c.op, dilation: c.d, groups: c.g });
      const ref = naiveConvTranspose2d(x, w, b, c.s, c.p, c.op, c.d, c.g);
      expect(y.shape).toEqual(ref.shape);
      expectClose(y, ref.values, 1e-12);
    });
  }

  it('is the adjoint of conv2d: ⟨conv2d(x, w), y⟩ = ⟨x, convTranspose2d(y, w)⟩', () => {
    const x = randn([2, 3, 7, 6], gen(4));
    const w = randn([4, 3, 3, 2], gen(5));
    const opts = { stride: 2, padding: 1 } as const;
    const y = randn(ops.conv2d(x, w, null, opts).shape as number[], gen(6));
    const lhs = ops.conv2d(x, w, null, opts).mul(y).sum().item();
    const back = ops.convTranspose2d(y, w, null, opts);
    expect(back.shape).toEqual(x.shape);
    expect(back.mul(x).sum().item()).toBeCloseTo(lhs, 10);
  });
});

/** Naive pooling of an [N, C, H, W] tensor: `reduce` gets the in-bounds values of each window and the padded window size. */
function naivePool(
  x: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number], ceil: boolean,
  reduce: (values: number[], paddedCount: number) => number,
): number[] {
  const [N, C, H, W] = x.shape;
  const size = (n: number, i: number): number => {
    const steps = (n + 2 * p[i] - d[i] * (k[i] - 1) - 1) / s[i];
    let o = (ceil ? Math.ceil(steps) : Math.floor(steps)) + 1;
    if (ceil && (o - 1) * s[i] >= n + p[i]) o--;
    return o;
  };
  const OH = size(H, 0);
  const OW = size(W, 1);
  const xv = flat(x);
  const out: number[] = [];
  for (let n = 0; n < N * C; n++) {
    for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
      const values: number[] = [];
      let padded = 0;
      for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) {
        const y = i * s[0] - p[0] + a * d[0];
        const xx = j * s[1] - p[1] + b * d[1];
        if (y < H + p[0] && xx < W + p[1]) padded++;
        if (y >= 0 && y < H && xx >= 0 && xx < W) values.push(xv[(n * H + y) * W + xx]);
      }
      out.push(reduce(values, padded));
    }
  }
  return out;
}

describe('pooling forward equals the naive loop', () => {
  const max = (v: number[]): number => Math.max(...v);
  it('maxPool2d: kernel 3, stride 2, padding 1, dilation [1, 2], ceilMode', () => {
    const x = randn([2, 3, 9, 10], gen(1));
    const y = ops.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true });
    const ref = naivePool(x, [3, 3], [2, 2], [1, 1], [1, 2], true, max);
    expect(y.size).toBe(ref.length);
    expectClose(y, ref, 0);
  });

  it('maxPool2d: the stride defaults to the kernel size', () => {
    const x = randn([1, 2, 7, 6], gen(2));
    expect(ops.maxPool2d(x, [2, 3]).shape).toEqual([1, 2, 3, 2]);
    expectClose(ops.maxPool2d(x, [2, 3]), naivePool(x, [2, 3], [2, 3], [0, 0], [1, 1], false, max), 0);
  });

  it('avgPool2d with and without countIncludePad, ceilMode', () => {
    const x = randn([1, 2, 7, 8], gen(3));
    const sum = (v: number[]): number => v.reduce((p, q) => p + q, 0);
    for (const countIncludePad of [true, false]) {
      const y = ops.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad });
      const ref = naivePool(x, [3, 3], [2, 2], [1, 1], [1, 1], true, (v, padded) => sum(v) / (countIncludePad ? padded : v.length));
      expectClose(y, ref, 1e-12);
    }
  });

  it('adaptiveAvgPool2d(1) is the mean over each plane; 5 → 3 uses windows [0, 2), [1, 4), [3, 5)', () => {
    const x = randn([2, 3, 4, 5], gen(4));
    expectClose(ops.adaptiveAvgPool2d(x, 1), flat(ops.mean(x, [2, 3])), 1e-12);
    const row = tensor([[[[1, 2, 3, 4, 5]]]], { dtype: 'float64' });
    expectClose(ops.adaptiveAvgPool2d(row, [1, 3]), [1.5, 3, 4.5], 1e-12);
  });

  it('1-D pools equal 2-D pools of height 1', () => {
    const x = randn([2, 3, 11], gen(5));
    const x4 = ops.unsqueeze(x, 2);
    expectClose(ops.maxPool1d(x, 3, { stride: 2, padding: 1 }), flat(ops.maxPool2d(x4, [1, 3], { stride: [1, 2], padding: [0, 1] })), 0);
    expectClose(ops.avgPool1d(x, 4, { stride: 3, ceilMode: true }), flat(ops.avgPool2d(x4, [1, 4], { stride: [1, 3], ceilMode: true })), 1e-12);
  });
});

describe('max pooling: the gradient goes to the first maximum in window order', () => {
  it('a window of equal values sends its gradient to its top-left element', () => {
    const x = zeros([1, 1, 2, 4], { dtype: 'float64', requiresGrad: true });
    ops.maxPool2d(x, 2).sum().backward();
    expect(gradOf(x)).toEqual([1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('overlapping windows add up at a shared maximum', () => {
    const x = tensor([[[1, 5, 2, 5, 3]]], { dtype: 'float64', requiresGrad: true });
    const y = ops.maxPool1d(x, 2, { stride: 1 });
    expect(flat(y)).toEqual([5, 5, 5, 5]);
    y.sum().backward();
    // windows [1,5] [5,2] [2,5] [5,3]: index 1 wins twice, index 3 twice
    expect(gradOf(x)).toEqual([0, 2, 0, 2, 0]);
  });

  it('2×2 windows: ties go to the first tap, a later NaN wins, the first of two NaNs keeps it', () => {
    // window values in order (top-left, top-right, bottom-left, bottom-right)
    const windows = [[1, 3, 3, 2], [5, 5, 5, 5], [1, NaN, 7, NaN], [2, 1, 2, 0]];
    const data = new Float64Array(16);
    windows.forEach((win, k) => {
      data[2 * k] = win[0];
      data[2 * k + 1] = win[1];
      data[8 + 2 * k] = win[2];
      data[8 + 2 * k + 1] = win[3];
    });
    const x = tensor(data, { shape: [1, 1, 2, 8], requiresGrad: true });
    const y = ops.maxPool2d(x, 2);
    const values = flat(y);
    expect([values[0], values[1], values[3]]).toEqual([3, 5, 2]);
    expect(Number.isNaN(values[2])).toBe(true);
    y.sum().backward();
    // arg-maxes: window 0 → top-right (flat 1); 1 → top-left (2); 2 → top-right (5); 3 → top-left (6)
    const expected = new Array<number>(16).fill(0);
    for (const i of [1, 2, 5, 6]) expected[i] = 1;
    expect(gradOf(x)).toEqual(expected);
  });

  it('a NaN in a window is its maximum', () => {
    const x = tensor([[[1, NaN, 2, 3]]], { dtype: 'float64' });
    const y = flat(ops.maxPool1d(x, 2));
    expect(Number.isNaN(y[0])).toBe(true);
    expect(y[1]).toBe(3);
  });
});

describe('convolution and pooling errors name the op, the shapes and the fix; nothing is recorded', () => {
  const x = (): Tensor => randn([2, 3, 8, 8], { requiresGrad: true });
  const w = (): Tensor => randn([4, 3, 3, 3], { requiresGrad: true });
  const bad: [string, () => unknown, typeof ShapeError | typeof ArgumentError, RegExp][] = [
    ['wrong input rank', () => ops.conv2d(randn([3, 8, 8]), w()), ShapeError, /conv2d: the input must be 4-D \[N, C, H, W\], got \[3, 8, 8\]; add a batch axis/],
    ['wrong weight rank', () => ops.conv2d(x(), randn([4, 3, 3])), ShapeError, /conv2d: the weight must be 4-D/],
    ['channels not matching', () => ops.conv2d(x(), randn([4, 2, 3, 3])), ShapeError, /conv2d: the input has 3 channels \(\[2, 3, 8, 8\]\) but the weight \[4, 2, 3, 3\] expects 2/],
    ['channels not divisible by groups', () => ops.conv2d(x(), randn([4, 1, 3, 3]), null, { groups: 2 }), ShapeError, /divisible by groups = 2/],
    ['kernel larger than the padded input', () => ops.conv2d(randn([1, 3, 2, 8]), w()), ShapeError, /conv2d: the kernel spans 3 along height .* padded input is only 2 long/],
    ['non-integer stride', () => ops.conv2d(x(), w(), null, { stride: 1.5 }), ArgumentError, /conv2d: stride must be a positive integer or 2 of them/],
    ['zero dilation', () => ops.conv2d(x(), w(), null, { dilation: [1, 0] }), ArgumentError, /conv2d: dilation must be/],
    ['negative padding', () => ops.conv2d(x(), w(), null, { padding: -1 }), ArgumentError, /conv2d: padding must be a non-negative integer/],
    ['unknown padding mode', () => ops.conv2d(x(), w(), null, { padding: 'full' as 'same' }), ArgumentError, /conv2d: unknown padding mode 'full'/],
    ["'same' with stride 2", () => ops.conv2d(x(), w(), null, { padding: 'same', stride: 2 }), ArgumentError, /padding 'same' needs stride 1/],
    ['unknown option', () => ops.conv2d(x(), w(), null, { strides: 2 } as ops.ConvOptions), ArgumentError, /conv2d: unknown option 'strides'/],
    ['bias of the wrong size', () => ops.conv2d(x(), w(), randn([3])), ShapeError, /conv2d: the bias must have shape \[4\]/],
    ['conv1d with a 4-D input', () => ops.conv1d(x(), randn([4, 3, 3])), ShapeError, /conv1d: the input must be 3-D \[N, C, L\]/],
    ['convTranspose2d channels', () => ops.convTranspose2d(x(), randn([4, 2, 3, 3])), ShapeError, /convTranspose2d: the input has 3 channels/],
    ['convTranspose2d outputPadding', () => ops.convTranspose2d(x(), randn([3, 2, 3, 3]), null, { outputPadding: 1 }), ArgumentError, /outputPadding 1 must be smaller than the stride/],
    ['convTranspose2d non-positive output', () => ops.convTranspose2d(randn([1, 3, 1, 1]), randn([3, 2, 1, 1]), null, { padding: 1 }), ShapeError, /convTranspose2d: the output would be -1×-1/],
    ['maxPool2d padding over half the kernel', () => ops.maxPool2d(x(), 2, { padding: 2 }), ArgumentError, /maxPool2d: padding 2 must be at most half the kernel size 2/],
    ['maxPool2d kernel larger than input', () => ops.maxPool2d(randn([1, 1, 2, 2]), 3), ShapeError, /maxPool2d: the kernel spans 3 along height/],
    ['maxPool2d 2-D input', () => ops.maxPool2d(randn([4, 4]), 2), ShapeError, /maxPool2d: the input must be \[N, C, H, W\] or \[C, H, W\], got \[4, 4\]/],
    ['avgPool1d stride 0', () => ops.avgPool1d(randn([1, 2, 6]), 2, { stride: 0 }), ArgumentError, /avgPool1d: stride must be a positive integer/],
    ['avgPool2d divisorOverride 0', () => ops.avgPool2d(x(), 2, { divisorOverride: 0 }), ArgumentError, /divisorOverride must be a non-zero number/],
    ['adaptiveAvgPool2d size 0', () => ops.adaptiveAvgPool2d(x(), 0), ArgumentError, /adaptiveAvgPool2d: outputSize must be a positive integer/],
  ];
  for (const [name, call, cls, message] of bad) {
    it(name, () => {
      // the op throws before it makes an output, so nothing is recorded (the graph hangs off outputs)
      expect(call).toThrow(cls);
      expect(call).toThrow(message);
    });
  }
});

describe('Tensor methods', () => {
  it('call the ops', () => {
    const x = randn([1, 2, 6, 6], gen(1));
    const w = randn([3, 2, 3, 3], gen(2));
    expectClose(x.conv2d(w, null, { padding: 1 }), flat(ops.conv2d(x, w, null, { padding: 1 })), 0);
    expectClose(x.maxPool2d(2), flat(ops.maxPool2d(x, 2)), 0);
    expectClose(x.avgPool2d(2), flat(ops.avgPool2d(x, 2)), 0);
    expectClose(x.adaptiveAvgPool2d(1), flat(ops.adaptiveAvgPool2d(x, 1)), 0);
    const x1 = randn([1, 2, 6], gen(3));
    expectClose(x1.conv1d(randn([1, 2, 2], gen(4))), flat(ops.conv1d(x1, randn([1, 2, 2], gen(4)))), 0);
    expectClose(x1.maxPool1d(2), flat(ops.maxPool1d(x1, 2)), 0);
    expectClose(x1.avgPool1d(2), flat(ops.avgPool1d(x1, 2)), 0);
    const t = randn([2, 3, 3, 3], gen(5));
    expectClose(x.convTranspose2d(t), flat(ops.convTranspose2d(x, t)), 0);
  });
});

describe('pad', () => {
  const x = (): Tensor => tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
  it('constant, reflect and replicate by hand', () => {
    expect(ops.pad(x(), [1, 2], { value: 9 }).toArray()).toEqual([[9, 1, 2, 3, 9, 9], [9, 4, 5, 6, 9, 9]]);
    expect(ops.pad(x(), [2, 1], { mode: 'reflect' }).toArray()).toEqual([[3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5]]);
    expect(ops.pad(x(), [0, 0, 1, 1], { mode: 'replicate' }).toArray()).toEqual([[1, 2, 3], [1, 2, 3], [4, 5, 6], [4, 5, 6]]);
    expect(x().pad([1, 0, 1, 0], { mode: 'reflect' }).toArray()).toEqual([[5, 4, 5, 6], [2, 1, 2, 3], [5, 4, 5, 6]]);
  });

  it('circular wraps around (padding up to the whole axis), on both axes', () => {
    // x = [[1, 2, 3], [4, 5, 6]]: position −1 of a row is its last element
    expect(ops.pad(x(), [2, 3], { mode: 'circular' }).toArray()).toEqual([[2, 3, 1, 2, 3, 1, 2, 3], [5, 6, 4, 5, 6, 4, 5, 6]]);
    expect(ops.pad(x(), [1, 0, 1, 2], { mode: 'circular' }).toArray()).toEqual([[6, 4, 5, 6], [3, 1, 2, 3], [6, 4, 5, 6], [3, 1, 2, 3], [6, 4, 5, 6]]);
  });

  it('the gradient of circular padding adds each copy back to its source', () => {
    const t = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    // [2, 3 | 1, 2, 3 | 1]: element 0 appears twice, 1 twice, 2 twice
    const y = ops.pad(t, [2, 1], { mode: 'circular' });
    y.mul(tensor([[1, 10, 100, 1000, 10000, 100000]], { dtype: 'float64' })).sum().backward();
    expect(gradOf(t)).toEqual([100 + 100000, 1 + 1000, 10 + 10000]);
  });

  it('the gradient of replicate padding piles up on the edges', () => {
    const t = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    ops.pad(t, [2, 1], { mode: 'replicate' }).sum().backward();
    expect(gradOf(t)).toEqual([3, 1, 2]);
  });

  it('refuses bad padding, naming the op and the fix', () => {
    expect(() => ops.pad(x(), [1])).toThrow(/pad: padding must be a non-empty list of \(before, after\) pairs/);
    expect(() => ops.pad(x(), [1, 1, 1, 1, 1, 1])).toThrow(/pads 3 axes but the input \[2, 3\] has 2/);
    expect(() => ops.pad(x(), [3, 0], { mode: 'reflect' })).toThrow(/reflect padding \(3, 0\) of axis 1 must be smaller than its size 3/);
    expect(() => ops.pad(x(), [1, 1], { mode: 'wrap' as 'reflect' })).toThrow(/pad: unknown mode 'wrap'; use 'constant', 'reflect', 'replicate' or 'circular'/);
    expect(() => ops.pad(x(), [0, 4], { mode: 'circular' })).toThrow(/circular padding \(0, 4\) of axis 1 must be at most its size 3/);
    expect(() => ops.pad(x(), [1, 1], { mode: 'reflect', value: 2 })).toThrow(/value applies to mode 'constant' only/);
  });
});

describe('interpolate', () => {
  it("bilinear 2×2 → 4×4 (alignCorners false): PyTorch's values, derived by hand", () => {
    const x = tensor([[[[1, 2], [3, 4]]]], { dtype: 'float64' });
    // rows sample input rows at −0.25 (clamped to 0), 0.25, 0.75, 1.25 (= row 1 clamped)
    const y = ops.interpolate(x, { size: 4, mode: 'bilinear' });
    expectClose(y, [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4], 1e-12);
  });

  it('bilinear 2×2 → 4×4 with alignCorners true: samples at i·(2 − 1)/(4 − 1), by hand', () => {
    const x = tensor([[[[1, 2], [3, 4]]]], { dtype: 'float64' });
    // y[i][j] = 1 + j/3 + 2·i/3 (the corners are the input's corners)
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expected.push(1 + j / 3 + (2 * i) / 3);
    expectClose(ops.interpolate(x, { size: 4, mode: 'bilinear', alignCorners: true }), expected, 1e-12);
  });

  it('alignCorners true equals the naive bilinear loop (down and up; scaleFactor only sets the size; one output sample reads 0)', () => {
    const x = randn([2, 3, 5, 4], gen(30));
    const xv = flat(x);
    const naive = (OH: number, OW: number): number[] => {
      const out: number[] = [];
      for (let p = 0; p < 6; p++) {
        for (let r = 0; r < OH; r++) {
          for (let c = 0; c < OW; c++) {
            const sy = OH > 1 ? (r * 4) / (OH - 1) : 0;
            const sx = OW > 1 ? (c * 3) / (OW - 1) : 0;
            const y0 = Math.floor(sy);
            const x0 = Math.floor(sx);
            const y1 = Math.min(y0 + 1, 4);
            const x1 = Math.min(x0 + 1, 3);
            const ly = sy - y0;
            const lx = sx - x0;
            const v = (yy: number, xx: number): number => xv[p * 20 + yy * 4 + xx];
            out.push((1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1)));
          }
        }
      }
      return out;
    };
    expectClose(ops.interpolate(x, { size: [3, 7], mode: 'bilinear', alignCorners: true }), naive(3, 7), 1e-12);
    expectClose(ops.interpolate(x, { size: [1, 2], mode: 'bilinear', alignCorners: true }), naive(1, 2), 1e-12);
    // scaleFactor 1.5: size ⌊5·1.5⌋ × ⌊4·1.5⌋ = 7 × 6, sampled at i·(in − 1)/(out − 1) as with that size
    expectClose(ops.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }), naive(7, 6), 1e-12);
  });

  it('nearest repeats ⌊i·in/out⌋; its gradient counts the copies', () => {
    const x = tensor([[[1, 2, 3]]], { dtype: 'float64', requiresGrad: true });
    const y = ops.interpolate(x, { size: 7 });
    // i·3/7 for i = 0..6: 0, 0.43, 0.86, 1.29, 1.71, 2.14, 2.57
    expect(flat(y)).toEqual([1, 1, 1, 2, 2, 3, 3]);
    y.sum().backward();
    expect(gradOf(x)).toEqual([3, 2, 2]);
  });

  it('refuses bad options', () => {
    const x = randn([1, 1, 4, 4]);
    expect(() => ops.interpolate(x, { size: 2, scaleFactor: 2 })).toThrow(/give exactly one of size and scaleFactor/);
    expect(() => ops.interpolate(x, { size: 2, mode: 'bicubic' as 'bilinear' })).toThrow(/interpolate: unknown mode 'bicubic'/);
    expect(() => ops.interpolate(x, { size: 2, mode: 'linear' })).toThrow(/mode 'linear' needs a 3-D input/);
    expect(() => ops.interpolate(x, { size: 2, alignCorners: true })).toThrow(/interpolate: alignCorners applies to the linear modes only/);
    expect(() => ops.interpolate(x, { size: 2, mode: 'bilinear', alignCorners: 1 as unknown as boolean })).toThrow(/alignCorners must be true or false, got 1/);
    expect(() => ops.interpolate(x, { size: [2, 0] })).toThrow(/size must be a positive integer or 2 of them/);
  });
});
