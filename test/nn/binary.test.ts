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
