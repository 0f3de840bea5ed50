// Every option of every optimizer is validated: a bad value of each (negative, NaN, infinite where
// a finite number is needed, a non-boolean flag) is an ArgumentError naming the option, thrown at
// construction, by addParamGroup, and by step() when the option was changed afterwards, with no
// parameter changed.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { ArgumentError } from '../../src/errors';
import { Adagrad, Adam, Adamax, AdamW, RMSprop, SGD } from '../../src/optim';
import type { Tensor } from '../../src/tensor';

type Make = (params: Tensor[], options: Record<string, unknown>) => { step(): unknown; addParamGroup(g: object): void; paramGroups: object[] };

const OPTIMIZERS: [string, Make, Record<string, unknown>][] = [
  ['SGD', (p, o) => new SGD(p, o), { lr: 0.1, momentum: 0.5, dampening: 0.1, weightDecay: 0.1, nesterov: false, maximize: false }],
  ['Adam', (p, o) => new Adam(p, o), { lr: 0.1, eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false }],
  ['AdamW', (p, o) => new AdamW(p, o), { lr: 0.1, eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false }],
  ['RMSprop', (p, o) => new RMSprop(p, o), { lr: 0.1, alpha: 0.9, eps: 1e-8, weightDecay: 0.1, momentum: 0.5, centered: false, maximize: false }],
  ['Adagrad', (p, o) => new Adagrad(p, o), { lr: 0.1, lrDecay: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.1, eps: 1e-10, maximize: false }],
  ['Adamax', (p, o) => new Adamax(p, o), { lr: 0.1, eps: 1e-8, weightDecay: 0.1, maximize: false }],
];

/** Bad values for an option whose good value is `good`. */
function badValues(good: unknown): unknown[] {
  if (typeof good === 'boolean') return [1, 'true', null];
  return [-1, Number.NaN, '0.1', -Infinity];
}

const param = (): Tensor => tensor([1, 2], { dtype: 'float64', requiresGrad: true });

describe.each(OPTIMIZERS)('%s validates every option', (name, make, good) => {
  for (const [key, value] of Object.entries(good)) {
    for (const bad of badValues(value)) {
      it(`${key} = ${String(bad)} is refused at construction, in a param group and at step()`, () => {
        expect(() => make([param()], { ...good, [key]: bad })).toThrow(ArgumentError);
        expect(() => make([param()], { ...good, [key]: bad })).toThrowWith(ArgumentError, new RegExp(`${name}.*${key}`));

        const opt = make([param()], good);
        expect(() => opt.addParamGroup({ params: [param()], [key]: bad })).toThrow(ArgumentError);
        expect(opt.paramGroups.length).toBe(1);

        const p = param();
        const changed = make([p], good);
        p.grad = tensor([1, 1], { dtype: 'float64' });
        (changed.paramGroups[0] as Record<string, unknown>)[key] = bad;
        expect(() => changed.step()).toThrow(ArgumentError);
        expect(Array.from(p.toTypedArray())).toEqual([1, 2]);
      });
    }
  }

  it('the good values are accepted and a step runs', () => {
    const p = param();
    const opt = make([p], good);
    p.grad = tensor([1, -1], { dtype: 'float64' });
    opt.step();
    const after = Array.from(p.toTypedArray());
    expect(after[0]).toBeLessThan(1);
    expect(after[1]).toBeGreaterThan(2);
  });
});
