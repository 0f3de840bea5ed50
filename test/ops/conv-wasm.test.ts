// Float32 convolutions on the WebAssembly module (im2col, gemm and col2im all in its memory)
// against naive loops written here: the forward, and the gradients of Σ up·y with respect to the
// input, the weight and the bias, each by its defining sum (one multiply-add at a time, in
// float64). A grid of strides, paddings (asymmetric too), dilations, groups, odd sizes, batch 1,
// several images per gemm, K beyond one 256-deep block and N beyond one 2048-wide block.
import { describe, expect, it, vi } from 'vitest';
import * as ops from '../../src/ops';
import { randn, tensor } from '../../src/creation';
import { Generator } from '../../src/random';
import { setConvChunkElements } from '../../src/nd';
import { convDirectCount, convWasmCount, maxPoolWasmCount, setConvDirect, wasmGemmAvailable } from '../../src/nd/wasm';
import type { Tensor } from '../../src/tensor';
import { expectClose, flat, gradOf } from './helpers';

interface Geometry {
  stride: [number, number];
  pad: [number, number, number, number]; // top, bottom, left, right
  dilation: [number, number];
  groups: number;
}

/** y, and for L = Σ up·y: dL/dx, dL/dw, dL/db, each from its definition. */
function naive(x: Tensor, w: Tensor, b: Tensor, up: number[] | null, o: Geometry) {
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const [sh, sw] = o.stride;
  const [pt, pb, pl, pr] = o.pad;
  const [dh, dw] = o.dilation;
  const OH = Math.floor((H + pt + pb - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (KW - 1) - 1) / sw) + 1;
  const xv = flat(x);
  const wv = flat(w);
  const bv = flat(b);
  const og = O / o.groups;
  const y = new Array<number>(N * O * OH * OW).fill(0);
  const dx = new Array<number>(xv.length).fill(0);
  const dW = new Array<number>(wv.length).fill(0);
  const db = new Array<number>(O).fill(0);
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < O; oc++) {
      const g = Math.floor(oc / og);
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          const at = ((n * O + oc) * OH + i) * OW + j;
          const u = up === null ? 0 : up[at];
          let acc = bv[oc];
          db[oc] += u;
          for (let c = 0; c < Cg; c++) {
            for (let p = 0; p < KH; p++) {
              for (let q = 0; q < KW; q++) {
                const yy = i * sh - pt + p * dh;
                const xx = j * sw - pl + q * dw;
                if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                const xi = ((n * C + g * Cg + c) * H + yy) * W + xx;
                const wi = ((oc * Cg + c) * KH + p) * KW + q;
                acc += xv[xi] * wv[wi];
                dx[xi] += u * wv[wi];
                dW[wi] += u * xv[xi];
              }
            }
          }
          y[at] = acc;
        }
      }
    }
  }
  return { y, dx, dW, db, shape: [N, O, OH, OW] };
}

/** Each value within tol·(the largest |expected|) — float32 accumulation, relative to the scale. */
function expectNear(actual: Tensor | number[], expected: number[], tol: number): void {
  const scale = Math.max(1e-30, ...expected.map(Math.abs));
  expectClose(actual, expected, tol * scale);
}

const f32 = (seed: number) => ({ generator: new Generator(seed) });

describe.runIf(wasmGemmAvailable())('float32 conv2d on the WebAssembly module equals the naive loops', () => {
  const cases: { name: string; x: number[]; w: number[]; opts: ops.ConvOptions; ref: Partial<Geometry>; chunk?: number }[] = [
    { name: 'plain 3×3', x: [2, 3, 9, 8], w: [5, 3, 3, 3], opts: {}, ref: {} },
    { name: 'LeNet conv1 shape (padding 2, 5×5, batch 3)', x: [3, 1, 28, 28], w: [6, 1, 5, 5], opts: { padding: 2 }, ref: { pad: [2, 2, 2, 2] } },
    { name: 'stride [2, 3], padding [1, 2], odd sizes', x: [2, 2, 11, 13], w: [3, 2, 3, 4], opts: { stride: [2, 3], padding: [1, 2] }, ref: { stride: [2, 3], pad: [1, 1, 2, 2] } },
    { name: 'dilation [2, 3], padding 3, batch 1', x: [1, 3, 12, 14], w: [4, 3, 3, 3], opts: { dilation: [2, 3], padding: 3 }, ref: { dilation: [2, 3], pad: [3, 3, 3, 3] } },
    { name: "'same' with an even kernel (asymmetric padding)", x: [2, 2, 7, 10], w: [3, 2, 4, 2], opts: { padding: 'same' }, ref: { pad: [1, 2, 0, 1] } },
    { name: 'groups 3, stride 2', x: [2, 6, 9, 9], w: [9, 2, 3, 3], opts: { groups: 3, stride: 2 }, ref: { groups: 3, stride: [2, 2] } },
    { name: 'depthwise, padding 1', x: [2, 5, 8, 7], w: [5, 1, 3, 3], opts: { groups: 5, padding: 1 }, ref: { groups: 5, pad: [1, 1, 1, 1] } },
    { name: 'padding wider than the kernel reach (all-zero rows and columns)', x: [1, 2, 3, 4], w: [2, 2, 2, 2], opts: { padding: 3 }, ref: { pad: [3, 3, 3, 3] } },
    { name: 'K = 288 > 256 (two depth blocks), 1×1 output rows', x: [2, 32, 6, 5], w: [8, 32, 3, 3], opts: {}, ref: {} },
    { name: 'N = 3·40·60 > 2048 columns per gemm', x: [3, 2, 42, 62], w: [4, 2, 3, 3], opts: {}, ref: {}, chunk: 1 << 20 },
    { name: 'several images per gemm (chunks of 2, the last one short), groups 2', x: [5, 4, 6, 5], w: [6, 2, 3, 3], opts: { padding: 1, groups: 2 }, ref: { pad: [1, 1, 1, 1], groups: 2 }, chunk: 1080 },
    { name: 'one image per gemm', x: [3, 2, 6, 6], w: [4, 2, 3, 3], opts: { stride: 2, padding: 1 }, ref: { stride: [2, 2], pad: [1, 1, 1, 1] }, chunk: 1 },
  ];
  // each case twice: with the direct (im2col-free) kernels off, and forced wherever they apply
  // (stride 1, one group); the default picks one of the two per geometry
  const direct = (c: { opts: ops.ConvOptions }): boolean => {
    const s = c.opts.stride ?? 1;
    return (s === 1 || (Array.isArray(s) && s.every((v) => v === 1))) && (c.opts.groups ?? 1) === 1;
  };
  for (const c of [...cases.map((k) => ({ ...k, mode: 'im2col' as const })), ...cases.filter(direct).map((k) => ({ ...k, mode: 'direct' as const }))]) {
    it(`${c.name} (${c.mode})`, () => {
      const previous = c.chunk === undefined ? null : setConvChunkElements(c.chunk);
      const previousDirect = setConvDirect(c.mode === 'direct');
      try {
        const x = randn(c.x, { ...f32(1), requiresGrad: true });
        const w = randn(c.w, { ...f32(2), requiresGrad: true });
        const b = randn([c.w[0]], { ...f32(3), requiresGrad: true });
        const runs = convWasmCount();
        const directRuns = convDirectCount();
        const y = ops.conv2d(x, w, b, c.opts);
        expect(y.dtype).toBe('float32');
        const up = randn(y.shape, f32(4));
        const ref = naive(x, w, b, flat(up), { stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...c.ref });
        expect(y.shape).toEqual(ref.shape);
        expectNear(y, ref.y, 1e-5);
        y.mul(up).sum().backward();
        // forward, input gradient and weight gradient all ran on the module, on the path of this mode
        expect(convWasmCount() - runs).toBe(c.mode === 'im2col' ? 3 : 0);
        expect(convDirectCount() - directRuns).toBe(c.mode === 'direct' ? 3 : 0);
        expectNear(gradOf(x), ref.dx, 1e-5);
        expectNear(gradOf(w), ref.dW, 1e-5);
        expectNear(gradOf(b), ref.db, 1e-5);
      } finally {
        if (previous !== null) setConvChunkElements(previous);
        setConvDirect(previousDirect);
      }
    });
  }

  it("an input that needs no gradient (a network's first layer) gets no input-gradient product", () => {
    for (const mode of [false, true]) {
      const previous = setConvDirect(mode);
      try {
        const x = randn([2, 1, 12, 12], f32(13));
        const w = randn([3, 1, 5, 5], { ...f32(14), requiresGrad: true });
        const b = randn([3], { ...f32(15), requiresGrad: true });
        const runs = convWasmCount() + convDirectCount();
        const y = ops.conv2d(x, w, b, { padding: 2 });
        y.mul(randn(y.shape, f32(16))).sum().backward();
        // the forward and the weight (+ bias) gradient: two products, no third for dx
        expect(convWasmCount() + convDirectCount() - runs).toBe(2);
        expect(x.grad).toBeNull();
      } finally {
        setConvDirect(previous);
      }
    }
  });

  it('a frozen weight: the input and bias gradients alone', () => {
    const x = randn([2, 3, 7, 6], { ...f32(9), requiresGrad: true });
    const w = randn([4, 3, 3, 3], f32(10));
    const b = randn([4], { ...f32(11), requiresGrad: true });
    const y = ops.conv2d(x, w, b, { padding: 1 });
    const up = randn(y.shape, f32(12));
    y.mul(up).sum().backward();
    expect(w.grad).toBeNull();
    const ref = naive(x, w, b, flat(up), { stride: [1, 1], pad: [1, 1, 1, 1], dilation: [1, 1], groups: 1 });
    expectNear(gradOf(x), ref.dx, 1e-5);
    expectNear(gradOf(b), ref.db, 1e-5);
  });

  it('convTranspose2d (its forward is col2im on the module) equals conv2d\'s input gradient, by adjointness', () => {
    // ⟨conv2d(x, w), u⟩ = ⟨x, convTranspose2d(u, w)⟩ for all x: so convTranspose2d(u, w) is the naive dx of Σ u·conv2d(x, w)
    const x = randn([2, 4, 9, 8], f32(5));
    const w = randn([6, 2, 3, 2], f32(6));
    const b = randn([6], f32(7));
    const opts = { stride: [2, 1] as [number, number], padding: [1, 1] as [number, number], dilation: [1, 2] as [number, number], groups: 2 };
    const y = ops.conv2d(x, w, b, opts);
    const u = randn(y.shape, f32(8));
    const runs = convWasmCount();
    const t = ops.convTranspose2d(u, w, null, { ...opts, outputPadding: [0, 0] });
    expect(convWasmCount() - runs).toBe(1);
    const ref = naive(x, w, b, flat(u), { stride: [2, 1], pad: [1, 1, 1, 1], dilation: [1, 2], groups: 2 });
    expect(t.shape).toEqual(x.shape);
    expectNear(t, ref.dx, 1e-5);
  });
});

/** 2×2 stride-2 max pooling by its definition: value and first arg-max in window order (a NaN wins, the first NaN stays). */
function naiveMaxPool2x2(x: number[], planes: number, H: number, W: number): { y: number[]; arg: number[] } {
  const oh = Math.floor(H / 2);
  const ow = Math.floor(W / 2);
  const y: number[] = [];
  const arg: number[] = [];
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = NaN;
        let at = -1;
        for (const [di, dj] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
          const k = p * H * W + (2 * i + di) * W + 2 * j + dj;
          const v = x[k];
          if (at < 0 || (!Number.isNaN(best) && (v > best || Number.isNaN(v)))) {
            best = v;
            at = k;
          }
        }
        y.push(best);
        arg.push(at);
      }
    }
  }
  return { y, arg };
}

describe.runIf(wasmGemmAvailable())('float32 2×2 stride-2 max pooling on the WebAssembly module equals the naive loop', () => {
  for (const [N, C, H, W] of [[2, 3, 28, 28], [1, 2, 9, 23], [3, 1, 5, 7], [1, 1, 2, 2], [2, 2, 8, 8], [1, 3, 11, 10], [1, 1, 4, 17], [64, 6, 28, 28]]) {
    it(`${N}×${C}×${H}×${W}, values with many ties, a few NaNs; the gradient goes to the first arg-max`, () => {
      const g = new Generator(H * 100 + W);
      // integers in [0, 4): most windows hold ties
      const values = Array.from({ length: N * C * H * W }, () => (g.uniform() < 0.03 ? NaN : Math.floor(4 * g.uniform())));
      const x = tensor(Float32Array.from(values), { shape: [N, C, H, W], requiresGrad: true });
      expect(x.dtype).toBe('float32');
      const runs = maxPoolWasmCount();
      const y = ops.maxPool2d(x, 2);
      expect(maxPoolWasmCount() - runs).toBe(1);
      const ref = naiveMaxPool2x2(values, N * C, H, W);
      expect(y.shape).toEqual([N, C, Math.floor(H / 2), Math.floor(W / 2)]);
      expectClose(y, ref.y, 0);
      const up = Array.from({ length: y.size }, (_, i) => i + 1);
      const backRuns = maxPoolWasmCount();
      y.mul(tensor(Float32Array.from(up), { shape: y.shape })).sum().backward();
      expect(maxPoolWasmCount() - backRuns).toBe(1); // the backward's kernel (maxPool2x2BackWasm)
      const dx = new Array<number>(values.length).fill(0);
      ref.arg.forEach((k, i) => (dx[k] += up[i]));
      expectClose(gradOf(x), dx, 0);
    });
  }
});

describe.runIf(wasmGemmAvailable())('the module\'s 2×2 max-pooling backward writes 0 + g at the arg-max, 0 elsewhere, bit for bit', () => {
  for (const [N, C, H, W] of [[2, 3, 10, 13], [1, 2, 7, 6]]) {
    it(`${N}×${C}×${H}×${W}: upstream gradients with −0, NaN, ±∞ and negatives (a −0 lands as +0, as 0 + g does)`, () => {
      const g = new Generator(H * 31 + W);
      const values = Array.from({ length: N * C * H * W }, () => Math.floor(5 * g.uniform()));
      const x = tensor(Float32Array.from(values), { shape: [N, C, H, W], requiresGrad: true });
      const y = ops.maxPool2d(x, 2);
      const specials = [-0, NaN, Infinity, -Infinity, -2.5, 0, 1.5e-45, 3];
      const up = Array.from({ length: y.size }, (_, i) => specials[i % specials.length]);
      const runs = maxPoolWasmCount();
      y.backward(tensor(Float32Array.from(up), { shape: y.shape }));
      expect(maxPoolWasmCount() - runs).toBe(1);
      const ref = naiveMaxPool2x2(values, N * C, H, W);
      const dx = new Array<number>(values.length).fill(0);
      ref.arg.forEach((k, i) => (dx[k] = 0 + Math.fround(up[i])));
      const got = gradOf(x);
      got.forEach((v, i) => expect(Object.is(v, dx[i]), `element ${i}: got ${v}, want ${dx[i]}`).toBe(true));
    });
  }
});

describe('with SURROGRAD_NO_WASM=1 float32 convolution runs in JS and equals the same naive loops', () => {
  it('forward, input, weight and bias gradients (groups, stride, padding, chunks of 2 images, kept columns); max pooling', async () => {
    const saved = process.env.SURROGRAD_NO_WASM;
    process.env.SURROGRAD_NO_WASM = '1';
    try {
      vi.resetModules();
      // fresh module instances that read the variable on first use (vite resolves .js to the .ts source)
      const fresh = {
        ops: await import('../../src/ops/index.js'),
        creation: await import('../../src/creation.js'),
        random: await import('../../src/random.js'),
        nd: await import('../../src/nd/index.js'),
        wasm: await import('../../src/nd/wasm/index.js'),
      };
      const cases = [
        { x: [5, 4, 6, 5], w: [6, 2, 3, 3], opts: { padding: 1, groups: 2 }, ref: { pad: [1, 1, 1, 1] as Geometry['pad'], groups: 2 }, chunk: 1080 },
        { x: [2, 3, 9, 8], w: [4, 3, 3, 2], opts: { stride: [2, 1] as [number, number], dilation: [1, 2] as [number, number] }, ref: { stride: [2, 1] as [number, number], dilation: [1, 2] as [number, number] } },
      ];
      for (const c of cases) {
        const previous = c.chunk === undefined ? null : fresh.nd.setConvChunkElements(c.chunk);
        try {
          const x = fresh.creation.randn(c.x, { generator: new fresh.random.Generator(1), requiresGrad: true });
          const w = fresh.creation.randn(c.w, { generator: new fresh.random.Generator(2), requiresGrad: true });
          const b = fresh.creation.randn([c.w[0]], { generator: new fresh.random.Generator(3), requiresGrad: true });
          const y = fresh.ops.conv2d(x, w, b, c.opts);
          expect(y.dtype).toBe('float32');
          const up = fresh.creation.randn(y.shape, { generator: new fresh.random.Generator(4) });
          const ref = naive(x, w, b, flat(up), { stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, ...c.ref });
          expectNear(y, ref.y, 1e-5);
          y.mul(up).sum().backward();
          expectNear(gradOf(x), ref.dx, 1e-5);
          expectNear(gradOf(w), ref.dW, 1e-5);
          expectNear(gradOf(b), ref.db, 1e-5);
        } finally {
          if (previous !== null) fresh.nd.setConvChunkElements(previous);
        }
      }
      const values = [3, 1, 1, 3, 2, 2, 0, 5, 2, 2, 4, 4, 1, 0, 9, 1];
      const px = fresh.creation.tensor(Float32Array.from(values), { shape: [1, 1, 4, 4] });
      expect(flat(fresh.ops.maxPool2d(px, 2))).toEqual(naiveMaxPool2x2(values, 1, 4, 4).y);
      expect(fresh.wasm.convWasmCount()).toBe(0);
      expect(fresh.wasm.maxPoolWasmCount()).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.SURROGRAD_NO_WASM;
      else process.env.SURROGRAD_NO_WASM = saved;
      vi.resetModules();
    }
  });
});
