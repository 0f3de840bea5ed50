// BinaryLinear and QuantizedActivation against naive loops and hand-derived gradients.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, RuleError, ShapeError, type Tensor, nn, randn, tensor } from '../../src/index';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());
const close = (a: number[], b: number[], tol = 1e-12): void => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(tol));
};

/** The gradient of L = Σ (y ⊙ g) w.r.t. the effective weight: G[o, i] = Σ_n g[n, o] x[n, i]. */
function weightGrad(x: number[], g: number[], n: number, inF: number, outF: number): number[] {
  const G = new Array(outF * inF).fill(0);
  for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) for (let k = 0; k < n; k++) G[o * inF + i] += g[k * outF + o] * x[k * inF + i];
  return G;
}

describe('nn.BinaryLinear', () => {
  const n = 4;
  const inF = 5;
  const outF = 3;
  const setup = (options: nn.BinaryLinearOptions): { layer: nn.BinaryLinear; x: Tensor; g: Tensor; W: number[] } => {
    const gen = new Generator(1);
    const layer = new nn.BinaryLinear(inF, outF, { dtype: 'float64', generator: gen, ...options });
    layer.weight.toNdarray().data.set([0.3, -1.4, 0.05, -0.2, 2, 0.9, -0.7, 1.2, -0.01, 0.5, -0.6, 0.4, 1.1, -1.3, 0.2]);
    const x = randn([n, inF], { generator: gen, dtype: 'float64' });
    const g = randn([n, outF], { generator: gen, dtype: 'float64' });
    return { layer, x, g, W: flat(layer.weight) };
  };

  it('forward is x·sign(W)ᵀ + b; the latent weights get clippedStraightThrough gradients (|w| ≤ 1) by default', () => {
    const { layer, x, g, W } = setup({});
    const y = layer.forward(x);
    const xs = flat(x);
    const b = flat(layer.bias!);
    const want: number[] = [];
    for (let k = 0; k < n; k++) for (let o = 0; o < outF; o++) {
      let v = b[o];
      for (let i = 0; i < inF; i++) v += xs[k * inF + i] * Math.sign(W[o * inF + i]);
      want.push(v);
    }
    close(flat(y), want);
    y.backward(g);
    const G = weightGrad(xs, flat(g), n, inF, outF);
    close(flat(layer.weight.grad!), G.map((v, j) => (Math.abs(W[j]) <= 1 ? v : 0)));
  });
  it("straightThrough passes every gradient; 'exact' passes none", () => {
    const st = setup({ weightBackward: 'straightThrough' });
    st.layer.forward(st.x).backward(st.g);
    close(flat(st.layer.weight.grad!), weightGrad(flat(st.x), flat(st.g), n, inF, outF));
    const ex = setup({ weightBackward: 'exact' });
    ex.layer.forward(ex.x).backward(ex.g);
    expect(flat(ex.layer.weight.grad!).every((v) => v === 0)).toBe(true);
  });
  it('XNOR-Net scaling: W_eff = α_o·sign(W), α_o = mean|W[o]|, gradient through sign (its rule) and α (exact)', () => {
    const { layer, x, g, W } = setup({ scale: true });
    const alpha = [0, 1, 2].map((o) => W.slice(o * inF, (o + 1) * inF).reduce((a, v) => a + Math.abs(v), 0) / inF);
    const eff = W.map((w, j) => Math.sign(w) * alpha[Math.floor(j / inF)]);
    close(flat(layer.binaryWeight()), eff);
    layer.forward(x).backward(g);
    const G = weightGrad(flat(x), flat(g), n, inF, outF);
    const want = W.map((w, j) => {
      const o = Math.floor(j / inF);
      let throughAlpha = 0;
      for (let i = 0; i < inF; i++) throughAlpha += G[o * inF + i] * Math.sign(W[o * inF + i]);
      return G[j] * alpha[o] * (Math.abs(w) <= 1 ? 1 : 0) + (throughAlpha * Math.sign(w)) / inF;
    });
    close(flat(layer.weight.grad!), want);
  });
  it('bad input: sizes, options, rules and input shape', () => {
    expect(() => new nn.BinaryLinear(0, 3)).toThrow(/BinaryLinear: inFeatures must be a positive integer, got 0/);
    expect(() => new nn.BinaryLinear(2, 3, { weightBackward: 'ste' })).toThrow(RuleError);
    expect(() => new nn.BinaryLinear(2, 3, { scal: true } as never)).toThrow(/unknown option 'scal'/);
    expect(() => new nn.BinaryLinear(2, 3).forward(randn([4, 3]))).toThrow(ShapeError);
  });
});

describe('nn.QuantizedActivation', () => {
  it('quantizes to 2^bits levels over the range and passes the gradient inside the range by default', () => {
    const q = new nn.QuantizedActivation({ bits: 2 }); // levels 0, 1/3, 2/3, 1
    const x = tensor([-0.5, 0.1, 0.2, 0.5, 0.9, 1.5], { dtype: 'float64' }).requiresGrad_();
    const y = q.forward(x);
    close(flat(y), [0, 0, 1 / 3, 2 / 3, 1, 1]);
    y.sum().backward();
    expect(flat(x.grad!)).toEqual([0, 1, 1, 1, 1, 0]);
    const signed = new nn.QuantizedActivation({ bits: 1, range: [-1, 1] });
    close(flat(signed.forward(tensor([-0.2, 0.3]))), [-1, 1]);
  });
  it('bad bits or range name the layer', () => {
    expect(() => new nn.QuantizedActivation({ bits: 0 })).toThrow(/QuantizedActivation: bits must be an integer from 1 to 32, got 0/);
    expect(() => new nn.QuantizedActivation({ range: [1, 0] })).toThrow(ArgumentError);
  });
});

describe('nn.BinaryConv2d', () => {
  it('forward is conv2d with sign(W) (a naive loop); the latent kernels get clipped straight-through gradients; scale multiplies by mean|W[o]|', () => {
    const gen = new Generator(5);
    const [N, C, H, W, O, K] = [2, 2, 4, 5, 3, 3];
    for (const scale of [false, true]) {
      const layer = new nn.BinaryConv2d(C, O, K, { dtype: 'float64', generator: gen, scale });
      const w = flat(layer.weight).map((v, i) => (i % 4 === 0 ? v * 8 : v)); // some |w| > 1
      layer.weight.toNdarray().data.set(w);
      const x = randn([N, C, H, W], { generator: gen, dtype: 'float64' });
      const y = layer.forward(x);
      const OH = H - K + 1;
      const OW = W - K + 1;
      const per = C * K * K;
      const alpha = [...Array(O).keys()].map((o) => (scale ? w.slice(o * per, (o + 1) * per).reduce((a, v) => a + Math.abs(v), 0) / per : 1));
      const xs = flat(x);
      const b = flat(layer.bias!);
      const want: number[] = [];
      for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
        let v = b[o];
        for (let c = 0; c < C; c++) for (let p = 0; p < K; p++) for (let q = 0; q < K; q++) {
          v += Math.sign(w[((o * C + c) * K + p) * K + q]) * alpha[o] * xs[((n * C + c) * H + i + p) * W + j + q];
        }
        want.push(v);
      }
      close(flat(y), want, 1e-10);
      if (scale) continue;
      const g = randn([N, O, OH, OW], { generator: gen, dtype: 'float64' });
      y.backward(g);
      const gs = flat(g);
      const grad = w.map((wv, idx) => {
        const q = idx % K;
        const p = Math.floor(idx / K) % K;
        const c = Math.floor(idx / (K * K)) % C;
        const o = Math.floor(idx / per);
        let v = 0;
        for (let n = 0; n < N; n++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) v += gs[((n * O + o) * OH + i) * OW + j] * xs[((n * C + c) * H + i + p) * W + j + q];
        return Math.abs(wv) <= 1 ? v : 0;
      });
      close(flat(layer.weight.grad!), grad, 1e-10);
    }
    expect(() => new nn.BinaryConv2d(2, 3, 3).forward(randn([1, 3, 5, 5]))).toThrow(/BinaryConv2d\(2 → 3\): expected an input \[N, 2, H, W\]/);
    expect(() => new nn.BinaryConv2d(2, 3, 3, { weightBackward: 'nope' })).toThrow(RuleError);
  });
});
