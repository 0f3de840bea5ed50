// Float32 convolutions on the WASM module at sizes that stress its index arithmetic and its sums:
// an output row of 65 536 or more columns (the kernel once packed a tap's column range into 16-bit
// halves) and a bias gradient summed over tens of thousands of positions of alternating sign
// (once summed in float32 lanes). The oracles are closed forms and a float64 sum in the test.
import { describe, expect, it } from 'vitest';
import { conv1d, conv2d, tensor } from '../../src';

describe('float32 convolution on wide rows', () => {
  it('conv1d over 65 538 ones with a ones kernel gives 3 at every one of the 65 536 outputs, and its gradients', () => {
    const L = 65538;
    const x = tensor(new Float32Array(L).fill(1), { shape: [1, 1, L], requiresGrad: true });
    const w = tensor([1, 1, 1], { shape: [1, 1, 3], dtype: 'float32', requiresGrad: true });
    const y = conv1d(x, w);
    expect(y.shape).toEqual([1, 1, 65536]);
    const values = y.toTypedArray();
    let wrong = 0;
    for (const v of values) if (v !== 3) wrong++;
    expect(wrong).toBe(0);
    y.sum().backward();
    // ∂/∂x_i of Σ_o Σ_k w_k x_{o+k} = the number of windows covering i: 1, 2, 3, …, 3, 2, 1
    const gx = (x.grad as NonNullable<typeof x.grad>).toTypedArray();
    for (const i of [0, 1, 2, 1000, 65535, L - 2, L - 1]) expect(gx[i]).toBe(Math.min(3, i + 1, L - i));
    // ∂/∂w_k = Σ_o x_{o+k} = 65 536 for every tap
    expect(Array.from((w.grad as NonNullable<typeof w.grad>).toTypedArray())).toEqual([65536, 65536, 65536]);
  });

  it('conv2d with a 70 000-column output row', () => {
    const W = 70002;
    const x = tensor(new Float32Array(2 * W).fill(1), { shape: [1, 1, 2, W] });
    const w = tensor(new Float32Array(6).fill(1), { shape: [1, 1, 2, 3] });
    const y = conv2d(x, w).toTypedArray();
    expect(y.length).toBe(70000);
    expect(y.every((v) => v === 6)).toBe(true);
  });

  it('the bias gradient of 60 000 positions of alternating sign matches the float64 sum', () => {
    const L = 60002;
    const x = tensor(new Float32Array(L), { shape: [1, 1, L] });
    const w = tensor([0, 0, 0], { shape: [1, 1, 3], dtype: 'float32', requiresGrad: true }); // the weight gradient's call sums the bias too
    const b = tensor([0], { shape: [1], dtype: 'float32', requiresGrad: true });
    const y = conv1d(x, w, b);
    // an upstream gradient of ±1 plus small ripples: four float32 lanes would each reach ±15 000,
    // where a float32's spacing (~0.001) swallows the ripples; the exact sum is the ripples' sum
    const g = new Float32Array(60000);
    for (let i = 0; i < g.length; i++) g[i] = (i % 2 === 0 ? 1 : -1) + 1e-4 * (((i * 7919) % 13) - 5);
    let exact = 0;
    for (const v of g) exact += v; // float64
    y.backward(tensor(g, { shape: [1, 1, 60000] }));
    const got = (b.grad as NonNullable<typeof b.grad>).toTypedArray()[0];
    expect(Math.abs(got - exact)).toBeLessThanOrEqual(1e-6 * Math.abs(exact) + 1e-6);
  });
});
