import { describe, expect, it } from 'vitest';
import { Generator, ShapeError, gradcheck, nn, randn, tensor } from '../../src';
import { compareRules } from '../../src';

describe('nn.Residual', () => {
  it('computes x + body(x), with the gradient of both paths (finite differences in float64)', () => {
    const g = new Generator(3);
    const body = new nn.Sequential(new nn.Linear(4, 4, { generator: g }), new nn.Tanh());
    const block = new nn.Residual(body).to('float64');
    const x = randn([5, 4], { generator: g, dtype: 'float64' });
    const y = block.forward(x).toArray() as number[][];
    const b = body.forward(x).toArray() as number[][];
    const xs = x.toArray() as number[][];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) expect(y[i][j]).toBeCloseTo(xs[i][j] + b[i][j], 12);
    const xg = x.detach().requiresGrad_();
    const result = gradcheck((v) => block.forward(v).square().sum(), [xg]);
    expect(result.ok).toBe(true);
  });

  it('refuses a body that changes the shape, naming both shapes', () => {
    const block = new nn.Residual(new nn.Linear(3, 2));
    expect(() => block.forward(tensor([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => block.forward(tensor([[1, 2, 3]]))).toThrow(/\[1, 3\].*\[1, 2\]/);
  });

  it('registers the body, so its parameters train and are saved', () => {
    const block = new nn.Residual(new nn.Linear(2, 2));
    expect(block.namedParameters().map(([n]) => n)).toEqual(['body.weight', 'body.bias']);
  });

  it('compareRules builds a residual MLP: the same initial weights, skip connections around layers 2..depth', () => {
    const seen: string[] = [];
    const result = compareRules({
      dataset: 'xor',
      datasetOptions: { trainSize: 40, testSize: 20 },
      activation: 'sigmoid', depth: 3, width: 6, rules: ['exact', { label: 'res', residual: true }],
      lr: 0.1, epochs: 1, seeds: [1], batchSize: 20,
      onModelCreated: (model, info) => seen.push(`${info.rule}:${model.namedModules().filter(([, m]) => m instanceof nn.Residual).length}`),
    });
    expect(seen).toEqual(['exact:0', 'res:2']);
    expect(result.config.rules[1].residual).toBe(true);
    // the same weight layers (the skips add none), so both rows started from the same weights
    expect(result.runs[1].initial.layers.length).toBe(4);
    expect(result.runs[0].initial.layers.length).toBe(4);
    // the first layer's gradient differs: the skips carry gradient past the sigmoids
    expect(result.runs[1].initial.layers[0].weightGradNorm).not.toBe(result.runs[0].initial.layers[0].weightGradNorm);
  });
});
