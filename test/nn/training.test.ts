// End to end, with fixed seeds: modules, losses, backward and optimizers together.
import { describe, expect, it } from 'vitest';
import { Generator, type Tensor, nn, noGrad, optim, randn, tensor } from '../../src/index';

function accuracy(logits: Tensor, labels: readonly number[]): number {
  const predicted = logits.argmax(1).toTypedArray();
  let right = 0;
  labels.forEach((l, i) => {
    if (predicted[i] === l) right++;
  });
  return right / labels.length;
}

/** Two interleaved spirals of n points each, with a little noise. */
function spirals(n: number, gen: Generator): { x: Tensor; labels: number[] } {
  const points: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const t = (i / n) * 3 * Math.PI + 0.5; // 1.5 turns
      const r = t / (3 * Math.PI + 0.5);
      const angle = t + c * Math.PI;
      points.push([r * Math.cos(angle) + 0.01 * gen.normal(), r * Math.sin(angle) + 0.01 * gen.normal()]);
      labels.push(c);
    }
  }
  return { x: tensor(points), labels };
}

describe('training end to end', () => {
  it('XOR reaches 100 % accuracy', () => {
    const gen = new Generator(0);
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const labels = [0, 1, 1, 0];
    const model = nn.mlp([2, 8, 2], { activation: 'tanh', generator: gen });
    const criterion = new nn.CrossEntropyLoss();
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    let loss = Infinity;
    for (let step = 0; step < 300; step++) {
      opt.zeroGrad();
      const l = criterion.forward(model.forward(x), labels);
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(loss).toBeLessThan(0.05);
    expect(accuracy(noGrad(() => model.forward(x)), labels)).toBe(1);
  });

  /** Train on 400 spiral points until 99 % training accuracy (checked every 25 steps) or maxSteps. */
  function trainSpirals(options: nn.MLPOptions<'relu'>, lr: number, maxSteps: number): number {
    const gen = new Generator(1);
    const { x, labels } = spirals(200, gen);
    const model = nn.mlp([2, 64, 64, 2], { ...options, activation: 'relu', generator: gen });
    const criterion = new nn.CrossEntropyLoss();
    const opt = new optim.Adam(model.parameters(), { lr });
    let acc = 0;
    for (let step = 1; step <= maxSteps; step++) {
      opt.zeroGrad();
      criterion.forward(model.forward(x), labels).backward();
      opt.step();
      if (step % 25 === 0) {
        acc = accuracy(noGrad(() => model.forward(x)), labels);
        if (acc >= 0.99) break;
      }
    }
    return acc;
  }

  it('two spirals reach ≥ 99 % training accuracy with a small ReLU MLP and Adam', () => {
    expect(trainSpirals({}, 0.01, 600)).toBeGreaterThanOrEqual(0.99);
  });

  it('the same spirals reach ≥ 99 % with ReLU forward and sigmoid backward (a per-layer rule)', () => {
    expect(trainSpirals({ backward: 'sigmoid' }, 0.02, 800)).toBeGreaterThanOrEqual(0.99);
  });

  it('linear regression recovers its coefficients to 1e-3', () => {
    const gen = new Generator(2);
    const trueW = [1.5, -2, 0.25];
    const trueB = 0.7;
    const x = randn([256, 3], { generator: gen });
    const rows = x.toArray() as number[][];
    const y = tensor(rows.map((r) => [r.reduce((s, v, j) => s + v * trueW[j], trueB) + 1e-4 * gen.normal()]));
    const model = new nn.Linear(3, 1, { generator: gen });
    const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const criterion = new nn.MSELoss();
    for (let step = 0; step < 300; step++) {
      opt.zeroGrad();
      criterion.forward(model.forward(x), y).backward();
      opt.step();
    }
    const w = Array.from(model.weight.toTypedArray());
    w.forEach((v, j) => expect(Math.abs(v - trueW[j])).toBeLessThan(1e-3));
    expect(Math.abs((model.bias as Tensor).item() - trueB)).toBeLessThan(1e-3);
  });

  it('BatchNorm, Dropout and AdamW train together; eval mode is deterministic', () => {
    const gen = new Generator(3);
    const { x, labels } = spirals(100, gen);
    const model = new nn.Sequential(
      new nn.Linear(2, 32, { generator: gen }),
      new nn.BatchNorm1d(32),
      new nn.ReLU(),
      new nn.Dropout(0.1, { generator: gen }),
      new nn.Linear(32, 2, { generator: gen }),
    );
    const opt = new optim.AdamW(model.parameters(), { lr: 0.02 });
    const criterion = new nn.CrossEntropyLoss();
    const first = criterion.forward(noGrad(() => model.forward(x)), labels).item();
    for (let step = 0; step < 200; step++) {
      opt.zeroGrad();
      criterion.forward(model.forward(x), labels).backward();
      optim.clipGradNorm(model.parameters(), 5);
      opt.step();
    }
    model.eval();
    const a = noGrad(() => model.forward(x)).toArray();
    const b = noGrad(() => model.forward(x)).toArray();
    expect(a).toEqual(b);
    expect(criterion.forward(noGrad(() => model.forward(x)), labels).item()).toBeLessThan(first);
  });
});
