// Anomaly mode: the first NaN or infinity an op produces, forward or backward, throws an
// AnomalyError naming the op, the rule, the record's position and where the op was called.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AnomalyError,
  ArgumentError,
  GraphError,
  clearTape,
  detectAnomaly,
  isAnomalyEnabled,
  rules,
  setDetectAnomaly,
  tensor,
  activation,
  listActivations,
  noGrad,
  type ActivationName,
  type AnomalyReport,
} from '../../src';
import { learnable } from '../../src/nn/learnable';

afterEach(() => {
  setDetectAnomaly(false);
});

function caught(fn: () => unknown): AnomalyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AnomalyError);
    return e as AnomalyError;
  }
  throw new Error('expected an AnomalyError, nothing was thrown');
}

describe('anomaly mode is off by default and scoped', () => {
  it('is off unless asked, and detectAnomaly restores the previous mode, also on throw', () => {
    expect(isAnomalyEnabled()).toBe(false);
    detectAnomaly(() => expect(isAnomalyEnabled()).toBe(true));
    expect(isAnomalyEnabled()).toBe(false);
    expect(() => detectAnomaly(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isAnomalyEnabled()).toBe(false);
    expect(setDetectAnomaly(true)).toBe(false);
    expect(setDetectAnomaly(false)).toBe(true);
  });

  it('off, a NaN goes through silently (as without the mode)', () => {
    const x = tensor([0, 1], { dtype: 'float64', requiresGrad: true });
    const y = x.div(x).sum(); // 0/0 = NaN in the forward
    expect(Number.isNaN(y.item())).toBe(true);
    y.backward();
    expect(Number.isNaN((x.grad?.toArray() as number[])[0])).toBe(true);
  });

  it('refuses bad arguments with ArgumentError', () => {
    expect(() => setDetectAnomaly('yes' as unknown as boolean)).toThrow(ArgumentError);
    expect(() => setDetectAnomaly(true, { foward: true } as never)).toThrow(ArgumentError);
    expect(isAnomalyEnabled()).toBe(false);
    expect(() => detectAnomaly(5 as never)).toThrow(ArgumentError);
  });
});

describe('forward: the first op whose output is not finite', () => {
  it('names the op, the rule, its position and the line that called it', () => {
    const x = tensor([1, 0, 2], { dtype: 'float64', requiresGrad: true });
    const e = caught(() =>
      detectAnomaly(() => {
        const a = x.mul(2); // op #0
        const b = a.log(); // op #1: log(0) = -Infinity
        return b.sum();
      }),
    );
    const report: AnomalyReport = e.anomaly;
    expect(report.phase).toBe('forward');
    expect(report.op).toBe('log');
    expect(report.rule).toBe('exact');
    expect(report.position).toBe(1);
    expect(report.index).toBe(1);
    expect(report.value).toBe(-Infinity);
    expect(report.count).toBe(1);
    expect(report.nonFiniteInputs).toEqual([]);
    expect(report.stack).toContain('anomaly.test.ts');
    expect(e.message).toMatch(/forward of 'log' \(rule 'exact', op #1/);
    expect(e.message).toContain('anomaly.test.ts');
  });

  it('also without requiresGrad (the forward check does not need a tape)', () => {
    const e = caught(() => detectAnomaly(() => tensor([0]).div(tensor([0]))));
    expect(e.anomaly.op).toBe('div');
    expect(Number.isNaN(e.anomaly.value)).toBe(true);
  });

  it('says when the NaN was already in an input (data made outside any op)', () => {
    const e = caught(() => detectAnomaly(() => tensor([1, Number.NaN]).mul(2)));
    expect(e.anomaly.nonFiniteInputs).toEqual([0]);
    expect(e.message).toMatch(/input 0 already held NaN/);
  });

  it('with { forward: false } only gradients are checked', () => {
    const x = tensor([0.5], { dtype: 'float64', requiresGrad: true });
    // sqrt(x - 0.5) is 0 forward (finite), its gradient 1/(2·0) is Infinity
    const e = caught(() =>
      detectAnomaly(
        () => {
          const y = x.sub(0.5).sqrt().sum();
          y.backward();
        },
        { forward: false },
      ),
    );
    expect(e.anomaly.phase).toBe('backward');
    // and a forward NaN passes unchecked
    expect(() => detectAnomaly(() => tensor([0]).div(tensor([0])), { forward: false })).not.toThrow();
  });
});

describe('backward: the first gradient that is not finite', () => {
  it('names the op, the rule, the record and the input, with the forward call site', () => {
    const x = tensor([4, 0], { dtype: 'float64', requiresGrad: true });
    const e = caught(() =>
      detectAnomaly(() => {
        const s = x.sqrt(); // forward finite (0), backward 1/(2·0) = Infinity
        const loss = s.mul(3).sum();
        loss.backward();
      }),
    );
    const r = e.anomaly;
    expect(r.phase).toBe('backward');
    expect(r.op).toBe('sqrt');
    expect(r.rule).toBe('exact');
    expect(r.input).toBe(0);
    expect(r.index).toBe(1);
    expect(r.value).toBe(Infinity);
    expect(r.upstreamFinite).toBe(true);
    expect(r.stack).toContain('anomaly.test.ts');
    expect(Number.isInteger(r.position) && r.position >= 0).toBe(true);
    expect(e.message).toMatch(/backward of 'sqrt' \(rule 'exact', tape record #\d+\) returned Infinity in the gradient of input 0/);
    // nothing was accumulated into x.grad: the pass stopped at the bad record
    expect(x.grad).toBeNull();
  });

  it('names an artificial rule in force (a rule whose gradient is not finite where the exact one is)', () => {
    // a user rule h(x) = 1/x: infinite at x = 0 where ReLU's exact derivative is 0
    const x = tensor([1, 0], { dtype: 'float64', requiresGrad: true });
    const e = caught(() =>
      detectAnomaly(() => {
        const y = x.relu({ backward: { derivative: (v: number) => 1 / v } }).sum();
        y.backward();
      }),
    );
    expect(e.anomaly.op).toBe('relu');
    expect(e.anomaly.rule).not.toBe('exact');
    expect(e.message).toMatch(/an artificial rule/);
    // the same graph under the exact rule is fine
    const x2 = tensor([1, 0], { dtype: 'float64', requiresGrad: true });
    detectAnomaly(() => x2.relu().sum().backward());
    expect(x2.grad?.toArray()).toEqual([1, 0]);
  });

  it('names a factory rule with its parameters', () => {
    const x = tensor([0.25], { dtype: 'float64', requiresGrad: true });
    // the seed itself is infinite: the report says the upstream was not finite
    const e = caught(() =>
      detectAnomaly(() => {
        const y = x.heaviside({ backward: rules.fastSigmoid({ slope: 5 }) });
        y.backward(tensor([Infinity], { dtype: 'float64' }));
      }),
    );
    expect(e.anomaly.rule).toBe('fastSigmoid(slope=5)');
    expect(e.anomaly.upstreamFinite).toBe(false);
    expect(e.message).toMatch(/upstream gradient it received already held NaN or infinite values/);
  });

  it('a graph recorded before the mode was on is still checked, with no call site', () => {
    const x = tensor([0], { dtype: 'float64', requiresGrad: true });
    const y = x.sqrt().sum();
    const e = caught(() => detectAnomaly(() => y.backward()));
    expect(e.anomaly.stack).toBe('');
    expect(e.message).toMatch(/ran before anomaly mode was turned on/);
  });

  it('finite graphs run exactly as without the mode', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    detectAnomaly(() => x.mul(x).sum().backward());
    expect(x.grad?.toArray()).toEqual([2, 4, 6]);
  });
});

describe('backward after clearTape', () => {
  it('is a GraphError that mentions clearTape, not only an earlier backward', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2).sum();
    clearTape(y);
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => y.backward()).toThrow(/clearTape|recompute/i);
  });
});

describe('forward: activations that record nothing are checked too', () => {
  // Oracle: the activation's output computed with the mode off. Anomaly mode throws exactly when
  // that output holds a NaN or an infinity, naming the activation; with the mode off nothing throws.
  const input = (): number[] => [1, Number.NaN, -1];
  for (const name of listActivations()) {
    it(`${name} of a tensor holding NaN, without requiresGrad and under noGrad`, () => {
      const out = activation(name as ActivationName, tensor(input())).toArray() as number[];
      const nonFinite = out.filter((v) => !Number.isFinite(v)).length;
      const runs: (() => unknown)[] = [
        () => activation(name as ActivationName, tensor(input())),
        () => noGrad(() => activation(name as ActivationName, tensor(input(), { requiresGrad: true }))),
        () => activation(name as ActivationName, tensor(input(), { requiresGrad: true })),
      ];
      for (const run of runs) {
        expect(run).not.toThrow(); // mode off
        if (nonFinite === 0) {
          expect(() => detectAnomaly(run)).not.toThrow();
          continue;
        }
        const e = caught(() => detectAnomaly(run));
        expect(e.anomaly.phase).toBe('forward');
        expect(e.anomaly.op).toBe(name);
        expect(e.anomaly.count).toBe(nonFinite);
        expect(e.anomaly.nonFiniteInputs).toEqual([0]);
        expect(e.message).toContain(`forward of '${name}'`);
      }
    });
  }

  it('relu and sigmoid produce NaN (the probe): AnomalyError naming the op and rule, nothing with the mode off', () => {
    for (const name of ['relu', 'sigmoid'] as const) {
      const e = caught(() => detectAnomaly(() => tensor([1, Number.NaN])[name]({ backward: 'exact' })));
      expect(e.anomaly.op).toBe(name);
      expect(e.anomaly.rule).toBe('exact');
      expect(e.anomaly.index).toBe(1);
      expect(() => tensor([1, Number.NaN])[name]()).not.toThrow();
    }
  });

  it('a context rule and a rule with a learnable parameter, with nothing recorded', () => {
    const ctx = { context: (g: Float32Array | Float64Array) => Array.from(g) } as never;
    expect(caught(() => detectAnomaly(() => tensor([Number.NaN]).relu({ backward: ctx }))).anomaly.op).toBe('relu');
    const k = learnable(2);
    const e = caught(() =>
      detectAnomaly(() => noGrad(() => tensor([Number.NaN]).relu({ backward: rules.sigmoidShaped({ k }) }))),
    );
    expect(e.anomaly.op).toBe('relu');
    expect(e.anomaly.rule).toMatch(/sigmoidShaped/);
    expect(() => noGrad(() => tensor([Number.NaN]).relu({ backward: rules.sigmoidShaped({ k }) }))).not.toThrow();
  });
});
