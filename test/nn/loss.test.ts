// Loss modules are the loss functions with their reduction held by the module.
import { describe, expect, it } from 'vitest';
import { ArgumentError, logSoftmax, nn, tensor } from '../../src/index';

const pred = tensor([[0.5, -1, 2], [1, 0, -0.5]], { dtype: 'float64' });
const target = tensor([[1, -1, 0], [0.5, 0.5, 0.5]], { dtype: 'float64' });
const labels = [2, 0];

describe('loss modules', () => {
  it('MSELoss and L1Loss against the formula', () => {
    const p = (pred.toArray() as number[][]).flat();
    const t = (target.toArray() as number[][]).flat();
    const mse = p.reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / p.length;
    const l1 = p.reduce((s, v, i) => s + Math.abs(v - t[i]), 0);
    expect(new nn.MSELoss().forward(pred, target).item()).toBeCloseTo(mse, 14);
    expect(new nn.L1Loss({ reduction: 'sum' }).forward(pred, target).item()).toBeCloseTo(l1, 14);
    expect(new nn.MSELoss({ reduction: 'none' }).forward(pred, target).shape).toEqual([2, 3]);
  });

  it('CrossEntropyLoss = −mean log softmax at the label; NLLLoss after logSoftmax agrees', () => {
    const rows = pred.toArray() as number[][];
    const expected =
      rows.reduce((s, r, i) => s - (r[labels[i]] - Math.log(r.reduce((z, v) => z + Math.exp(v), 0))), 0) / rows.length;
    expect(new nn.CrossEntropyLoss().forward(pred, labels).item()).toBeCloseTo(expected, 14);
    expect(new nn.NLLLoss().forward(logSoftmax(pred, -1), tensor(labels)).item()).toBeCloseTo(expected, 14);
  });

  it('BCEWithLogitsLoss against the formula', () => {
    const logits = [0.3, -2, 4];
    const t = [1, 0, 0.25];
    const expected = logits.reduce((s, z, i) => s - (t[i] * Math.log(1 / (1 + Math.exp(-z))) + (1 - t[i]) * Math.log(1 - 1 / (1 + Math.exp(-z)))), 0) / 3;
    const loss = new nn.BCEWithLogitsLoss().forward(tensor(logits, { dtype: 'float64' }), tensor(t, { dtype: 'float64' }));
    expect(loss.item()).toBeCloseTo(expected, 12);
  });

  it('an unknown reduction is refused at construction', () => {
    expect(() => new nn.MSELoss({ reduction: 'avg' as 'mean' })).toThrow(ArgumentError);
    expect(new nn.CrossEntropyLoss().toString()).toBe("CrossEntropyLoss(reduction='mean')\n(0 parameters)");
  });

  it('the functions are reachable from nn too', () => {
    expect(nn.mseLoss(pred, target).item()).toBe(new nn.MSELoss().forward(pred, target).item());
  });
});
