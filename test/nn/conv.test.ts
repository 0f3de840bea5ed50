// CNN layers: PyTorch's default initialisation bounds, state dict names, BatchNorm2d statistics
// (hand-computed), GroupNorm against a naive per-group loop and finite differences, Dropout2d
// masks whole channels, activation layers on 4-D tensors, and a checkpoint round trip.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, nn, optim, randn, tensor } from '../../src/index';
import { load, save } from '../../src/node';
import type { Tensor } from '../../src/tensor';
import { gradcheck } from '../../src/autograd/gradcheck';
import { ArgumentError, ShapeError } from '../../src/errors';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());
const maxAbs = (t: Tensor): number => Math.max(...flat(t).map(Math.abs));

/** Input index j of an axis of `size` read at padded position j (outside [0, size) mapped as the mode says). */
function modeIndex(j: number, size: number, mode: 'reflect' | 'replicate' | 'circular'): number {
  if (j >= 0 && j < size) return j;
  if (mode === 'replicate') return j < 0 ? 0 : size - 1;
  if (mode === 'circular') return ((j % size) + size) % size;
  return j < 0 ? -j : 2 * (size - 1) - j;
}

/** conv2d by its definition with the padding filled by `mode`: y[n,o,i,j] = b[o] + Σ x[n, c, map(i·s − p + k·d)]·w[o, c, k…]. */
function naiveModeConv2d(
  x: Tensor, w: Tensor, b: Tensor, stride: number[], padBefore: number[], padAfter: number[], dilation: number[], mode: 'reflect' | 'replicate' | 'circular',
): number[] {
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const OH = Math.floor((H + padBefore[0] + padAfter[0] - dilation[0] * (KH - 1) - 1) / stride[0]) + 1;
  const OW = Math.floor((W + padBefore[1] + padAfter[1] - dilation[1] * (KW - 1) - 1) / stride[1]) + 1;
  const xv = flat(x);
  const wv = flat(w);
  const bv = flat(b);
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let acc = bv[o];
    for (let c = 0; c < C; c++) for (let p = 0; p < KH; p++) for (let q = 0; q < KW; q++) {
      const yy = modeIndex(i * stride[0] - padBefore[0] + p * dilation[0], H, mode);
      const xx = modeIndex(j * stride[1] - padBefore[1] + q * dilation[1], W, mode);
      acc += xv[((n * C + c) * H + yy) * W + xx] * wv[((o * C + c) * KH + p) * KW + q];
    }
    out.push(acc);
  }
  return out;
}

describe('paddingMode on Conv1d / Conv2d', () => {
  for (const mode of ['reflect', 'replicate', 'circular'] as const) {
    it(`Conv2d paddingMode '${mode}' equals the naive loop (padding [1, 2], stride [1, 2], dilation [2, 1]) and passes gradcheck on the input`, () => {
      const conv = new nn.Conv2d(2, 3, 3, { padding: [1, 2], stride: [1, 2], dilation: [2, 1], paddingMode: mode, dtype: 'float64', generator: new Generator(4) });
      expect(conv.paddingMode).toBe(mode);
      const x = randn([2, 2, 5, 6], { dtype: 'float64', generator: new Generator(5), requiresGrad: true });
      const y = conv.forward(x);
      const ref = naiveModeConv2d(x, conv.weight, conv.bias as Tensor, [1, 2], [1, 2], [1, 2], [2, 1], mode);
      expect(y.size).toBe(ref.length);
      flat(y).forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-12));
      // the input's gradient goes back through the padding (the weight's is conv2d's own, gradchecked with the op)
      const result = gradcheck((a) => conv.forward(a), [x]);
      expect(result.ok, result.message).toBe(true);
    });
  }

  it("Conv1d 'same' with an even kernel and circular padding: ⌊3/2⌋ = 1 before, 2 after, as PyTorch", () => {
    const conv = new nn.Conv1d(1, 1, 4, { padding: 'same', paddingMode: 'circular', bias: false, dtype: 'float64' });
    conv.loadStateDict({ weight: tensor([[[1, 10, 100, 1000]]], { dtype: 'float64' }) });
    const x = tensor([[[1, 2, 3, 4, 5]]], { dtype: 'float64' });
    // padded: [5 | 1 2 3 4 5 | 1 2]; y[i] = p[i] + 10·p[i+1] + 100·p[i+2] + 1000·p[i+3]
    const p = [5, 1, 2, 3, 4, 5, 1, 2];
    const expected = [0, 1, 2, 3, 4].map((i) => p[i] + 10 * p[i + 1] + 100 * p[i + 2] + 1000 * p[i + 3]);
    expect(flat(conv.forward(x))).toEqual(expected);
    expect(conv.toString()).toMatch(/paddingMode=circular/);
  });
});

describe('convolution layers', () => {
  it('Conv2d: weight [out, in/g, kH, kW], PyTorch default init bounds 1/√fanIn for weight and bias', () => {
    const conv = new nn.Conv2d(6, 8, [3, 2], { groups: 2, generator: new Generator(1) });
    expect(conv.weight.shape).toEqual([8, 3, 3, 2]);
    const bound = 1 / Math.sqrt(3 * 3 * 2); // kaiming-uniform with a = √5: gain √(1/3) · √(3/fanIn)
    expect(maxAbs(conv.weight)).toBeLessThanOrEqual(bound);
    expect(maxAbs(conv.weight)).toBeGreaterThan(0.9 * bound); // 144 draws come close to the edge
    expect(maxAbs(conv.bias as Tensor)).toBeLessThanOrEqual(bound);
    expect(Object.keys(conv.stateDict())).toEqual(['weight', 'bias']);
    expect(conv.forward(randn([2, 6, 7, 5])).shape).toEqual([2, 8, 5, 4]);
  });

  it("Conv1d with padding 'same' keeps the length; without bias has only a weight", () => {
    const conv = new nn.Conv1d(3, 5, 4, { padding: 'same', bias: false });
    expect(conv.weight.shape).toEqual([5, 3, 4]);
    expect(conv.bias).toBeNull();
    expect(Object.keys(conv.stateDict())).toEqual(['weight']);
    expect(conv.forward(randn([2, 3, 9])).shape).toEqual([2, 5, 9]);
  });

  it('ConvTranspose2d: weight [in, out/g, kH, kW], fanIn = out/g·kH·kW, doubles the size with stride 2', () => {
    const up = new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, generator: new Generator(2) });
    expect(up.weight.shape).toEqual([4, 3, 3, 3]);
    const bound = 1 / Math.sqrt(3 * 9);
    expect(maxAbs(up.weight)).toBeLessThanOrEqual(bound);
    expect(maxAbs(up.bias as Tensor)).toBeLessThanOrEqual(bound);
    expect(up.forward(randn([1, 4, 5, 6])).shape).toEqual([1, 6, 10, 12]);
  });

  it('refuse bad construction and bad inputs with the layer named', () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(ArgumentError);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/Conv2d: inChannels \(3\) and outChannels \(4\) must both be divisible by groups \(2\)/);
    expect(() => new nn.Conv2d(3, 4, 0)).toThrow(/Conv2d: kernelSize must be/);
    expect(() => new nn.Conv2d(3, 4, 3, { padding: 'same', stride: 2 })).toThrow(/Conv2d: padding 'same' needs stride 1/);
    expect(() => new nn.Conv2d(3, 4, 3, { paddingMode: 'mirror' as 'zeros' })).toThrow(/Conv2d: unknown paddingMode 'mirror'; use 'zeros', 'reflect', 'replicate' or 'circular'/);
    expect(() => new nn.Conv2d(3, 4, 3, { padding: 3, paddingMode: 'reflect' }).forward(randn([1, 3, 3, 5]))).toThrow(ShapeError);
    expect(() => new nn.Conv2d(3, 4, 3, { padding: 3, paddingMode: 'reflect' }).forward(randn([1, 3, 3, 5]))).toThrow(
      /Conv2d\(3 → 4\) with paddingMode 'reflect': pad: reflect padding \(3, 3\) of axis 2 must be smaller than its size 3/,
    );
    expect(() => new nn.Conv2d(3, 4, 3, { strid: 2 } as nn.ConvLayerOptions)).toThrow(/Conv2d: unknown option 'strid'/);
    expect(() => new nn.Conv2d(3, 4, 3).forward(randn([1, 2, 5, 5]))).toThrow(ShapeError);
    expect(() => new nn.Conv2d(3, 4, 3).forward(randn([1, 2, 5, 5]))).toThrow(/Conv2d\(3 → 4\): expected an input \[N, 3, H, W\], got \[1, 2, 5, 5\]/);
    expect(() => new nn.MaxPool2d(2, { padding: 2 })).toThrow(/MaxPool2d: padding \[2,2\] must be at most half/);
    expect(() => new nn.AdaptiveAvgPool2d(0)).toThrow(/AdaptiveAvgPool2d: outputSize/);
    expect(() => new nn.GroupNorm(3, 4)).toThrow(/GroupNorm: numChannels \(4\) must be divisible by numGroups \(3\)/);
    expect(() => new nn.BatchNorm2d(3).forward(randn([2, 3, 4]))).toThrow(/BatchNorm2d\(3\): expected an input of shape \[N, 3, H, W\]/);
  });
});

describe('pooling layers', () => {
  it('MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, MaxPool1d, AvgPool1d shapes', () => {
    const x = randn([2, 3, 9, 8]);
    expect(new nn.MaxPool2d(2).forward(x).shape).toEqual([2, 3, 4, 4]);
    expect(new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }).forward(x).shape).toEqual([2, 3, 5, 5]);
    expect(new nn.AvgPool2d(2, { stride: 1 }).forward(x).shape).toEqual([2, 3, 8, 7]);
    expect(new nn.AdaptiveAvgPool2d(1).forward(x).shape).toEqual([2, 3, 1, 1]);
    expect(new nn.AdaptiveAvgPool2d([null, 2]).forward(x).shape).toEqual([2, 3, 9, 2]);
    const s = randn([2, 3, 10]);
    expect(new nn.MaxPool1d(2).forward(s).shape).toEqual([2, 3, 5]);
    expect(new nn.AvgPool1d(3, { stride: 2, padding: 1 }).forward(s).shape).toEqual([2, 3, 5]);
    expect(new nn.MaxPool2d(2).parameters()).toHaveLength(0);
  });
});

describe('BatchNorm2d', () => {
  // two samples, two channels, 1×2 planes: channel 0 holds 1, 2, 3, 4; channel 1 holds 0, 0, 0, 8
  const input = (): Tensor => tensor([[[[1, 2]], [[0, 0]]], [[[3, 4]], [[0, 8]]]], { dtype: 'float64' });

  it('training normalises each channel over batch and space (biased variance) and updates the running stats', () => {
    const bn = new nn.BatchNorm2d(2, { dtype: 'float64', eps: 0 });
    const y = flat(bn.forward(input()));
    // channel 0: mean 2.5, biased var 1.25; channel 1: mean 2, biased var 12
    const s0 = Math.sqrt(1.25);
    const s1 = Math.sqrt(12);
    const expected = [(1 - 2.5) / s0, (2 - 2.5) / s0, -2 / s1, -2 / s1, (3 - 2.5) / s0, (4 - 2.5) / s0, -2 / s1, 6 / s1];
    expected.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 12));
    // running ← 0.9·running + 0.1·batch, the variance unbiased (÷ 3): 5/3 and 16
    const rm = flat(bn.runningMean as Tensor);
    expect(rm[0]).toBeCloseTo(0.25, 12);
    expect(rm[1]).toBeCloseTo(0.2, 12);
    const rv = flat(bn.runningVar as Tensor);
    expect(rv[0]).toBeCloseTo(0.9 + 0.1 * (5 / 3), 12);
    expect(rv[1]).toBeCloseTo(0.9 + 0.1 * 16, 12);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar', 'numBatchesTracked']);
  });

  it('eval uses the running statistics', () => {
    const bn = new nn.BatchNorm2d(2, { dtype: 'float64', eps: 0 });
    bn.forward(input());
    bn.eval();
    const y = flat(bn.forward(input()));
    const rv0 = 0.9 + 0.1 * (5 / 3);
    expect(y[0]).toBeCloseTo((1 - 0.25) / Math.sqrt(rv0), 12);
  });

  it('gradients match finite differences (training mode, float64)', () => {
    const bn = new nn.BatchNorm2d(3, { dtype: 'float64' });
    const x = randn([2, 3, 2, 3], { dtype: 'float64', generator: new Generator(3) });
    (bn.weight as Tensor).data.data.set([0.5, -1, 2]);
    const result = gradcheck((a) => bn.forward(a).mul(a), [x]);
    expect(result.ok, result.message).toBe(true);
  });
});

describe('GroupNorm', () => {
  it('normalises each sample over each group of channels and all positions, then scales per channel', () => {
    const gn = new nn.GroupNorm(2, 4, { dtype: 'float64', eps: 1e-5 });
    (gn.weight as Tensor).data.data.set([1, 2, 3, 4]);
    (gn.bias as Tensor).data.data.set([0, 0.5, 0, -1]);
    const x = randn([2, 4, 3, 2], { dtype: 'float64', generator: new Generator(5) });
    const y = flat(gn.forward(x));
    const xv = flat(x);
    const groupSize = 2 * 6;
    for (let n = 0; n < 2; n++) {
      for (let g = 0; g < 2; g++) {
        const at = (n * 4 + g * 2) * 6;
        const vals = xv.slice(at, at + groupSize);
        const mu = vals.reduce((p, q) => p + q, 0) / groupSize;
        const v = vals.reduce((p, q) => p + (q - mu) ** 2, 0) / groupSize;
        for (let i = 0; i < groupSize; i++) {
          const c = g * 2 + Math.floor(i / 6);
          const expected = ((vals[i] - mu) / Math.sqrt(v + 1e-5)) * [1, 2, 3, 4][c] + [0, 0.5, 0, -1][c];
          expect(y[at + i]).toBeCloseTo(expected, 12);
        }
      }
    }
  });

  it('gradients match finite differences (float64)', () => {
    const gn = new nn.GroupNorm(3, 6, { dtype: 'float64' });
    const x = randn([2, 6, 2, 2], { dtype: 'float64', generator: new Generator(6) });
    const result = gradcheck((a) => gn.forward(a).mul(a), [x]);
    expect(result.ok, result.message).toBe(true);
  });
});

describe('Dropout2d', () => {
  it('zeroes whole channels with probability p and scales the rest by 1/(1 − p); eval is the identity', () => {
    const drop = new nn.Dropout2d(0.5, { generator: new Generator(7) });
    const x = randn([8, 6, 3, 3], { dtype: 'float64', generator: new Generator(8) });
    const y = flat(drop.forward(x));
    const xv = flat(x);
    let dropped = 0;
    for (let ch = 0; ch < 48; ch++) {
      const ratio = y.slice(ch * 9, ch * 9 + 9).map((v, i) => v / xv[ch * 9 + i]);
      const first = ratio[0];
      expect([0, 2]).toContain(Math.round(first * 1e9) / 1e9);
      ratio.forEach((r) => expect(r).toBeCloseTo(first, 12));
      if (first === 0) dropped++;
    }
    expect(dropped).toBeGreaterThan(10);
    expect(dropped).toBeLessThan(38);
    drop.eval();
    expect(flat(drop.forward(x))).toEqual(xv);
  });
});

describe('activation layers on 4-D tensors', () => {
  it("ReLU with the 'sigmoid' backward rule gives g·σ(x) elementwise on [N, C, H, W]", () => {
    const x = randn([2, 3, 4, 5], { dtype: 'float64', requiresGrad: true, generator: new Generator(9) });
    const y = new nn.ReLU({ backward: 'sigmoid' }).forward(x);
    expect(y.shape).toEqual([2, 3, 4, 5]);
    const xv = flat(x);
    flat(y).forEach((v, i) => expect(v).toBe(Math.max(0, xv[i])));
    y.sum().backward();
    const g = flat(x.grad as Tensor);
    g.forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-xv[i])), 12));
  });
});

describe('a small CNN', () => {
  const build = (gen: Generator): nn.Sequential =>
    new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1, generator: gen }),
      new nn.BatchNorm2d(4),
      new nn.ReLU({ backward: 'sigmoid' }),
      new nn.MaxPool2d(2),
      new nn.Conv2d(4, 6, 3, { generator: gen }),
      new nn.ReLU(),
      new nn.AdaptiveAvgPool2d(1),
      new nn.Flatten(),
      new nn.Linear(6, 3, { generator: gen }),
    );

  it('trains (the loss falls), and a checkpoint reloads weights and running statistics exactly', () => {
    const model = build(new Generator(10));
    const x = randn([8, 1, 8, 8], { generator: new Generator(11) });
    const labels = [0, 1, 2, 0, 1, 2, 0, 1];
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    let first = 0;
    let last = 0;
    for (let step = 0; step < 30; step++) {
      opt.zeroGrad();
      const loss = model.forward(x).crossEntropy(labels);
      loss.backward();
      opt.step();
      if (step === 0) first = loss.item();
      last = loss.item();
    }
    expect(last).toBeLessThan(first * 0.7);
    expect(Object.keys(model.stateDict())).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '1.runningMean', '1.runningVar', '1.numBatchesTracked',
      '4.weight', '4.bias', '8.weight', '8.bias',
    ]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-cnn-'));
    try {
      const file = path.join(dir, 'cnn.ckpt');
      save(file, { model });
      const copy = build(new Generator(99));
      load(file, { model: copy });
      model.eval();
      copy.eval();
      expect(flat(copy.forward(x))).toEqual(flat(model.forward(x)));
      const a = model.stateDict();
      const b = copy.stateDict();
      for (const key of Object.keys(a)) expect(flat(b[key]), key).toEqual(flat(a[key]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
