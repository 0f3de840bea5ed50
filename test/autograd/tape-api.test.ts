// Small promises of the tape's public functions: ops on inputs that need no gradient record
// nothing; listTape reports output shapes; the inspection functions refuse a non-tensor by class;
// lastBackwardRules lists every rule an op ran with.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { clearTape, lastBackwardRules, listTape, shouldRecord, tapeSize } from '../../src/autograd/tape';
import { ArgumentError } from '../../src/errors';
import { defineOp, record } from '../../src/ops/record';
import * as nd from '../../src/nd';

describe('recording', () => {
  it('an op whose inputs do not require grad is not recorded, even with grad mode on', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([4, 5, 6]);
    const y = a.mul(b).add(1).sigmoid();
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(shouldRecord([a, b])).toBe(false);
    expect(shouldRecord([])).toBe(false);
    expect(shouldRecord([a, tensor([1], { requiresGrad: true })])).toBe(true);
  });
});

describe('inspection', () => {
  it('listTape reports each output shape, a copy the caller may change', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const y = x.sigmoid().sum(1);
    const entries = listTape(y);
    expect(entries.map((e) => e.outputShape)).toEqual([[2, 3], [2]]);
    entries[0].outputShape.push(99);
    expect(listTape(y)[0].outputShape).toEqual([2, 3]);
  });

  it('listTape, tapeSize and clearTape refuse a non-tensor with an ArgumentError naming what they got', () => {
    for (const fn of [listTape, tapeSize, clearTape] as ((t: never) => unknown)[]) {
      expect(() => fn(5 as never)).toThrowWith(ArgumentError, /got number/);
      expect(() => fn(null as never)).toThrowWith(ArgumentError, /got null/);
      expect(() => fn({} as never)).toThrowWith(ArgumentError, /got object/);
    }
  });

  it('lastBackwardRules lists every rule an op used in the pass', () => {
    const x = tensor([0.5, -0.5], { requiresGrad: true, dtype: 'float64' });
    x.relu().add(x.relu({ backward: 'sigmoid' })).add(x.relu({ backward: 'sigmoid' })).sum().backward();
    expect(lastBackwardRules().relu.sort()).toEqual(['exact', 'sigmoid']);
  });
});

describe('the backward walk', () => {
  it('a retained intermediate reached by two paths runs its producer once', () => {
    // h = 3x is an input of `add` twice: its record must be collected once, or (kept for
    // retainGrad) it would run twice and x would get 2·(2·3)
    const x = tensor([1, -2], { requiresGrad: true, dtype: 'float64' });
    const h = x.mul(3).retainGrad();
    h.add(h).sum().backward();
    expect(Array.from(h.grad!.toTypedArray())).toEqual([2, 2]);
    expect(Array.from(x.grad!.toTypedArray())).toEqual([6, 6]);
  });

  it('a record whose output got no gradient (a backward returned null for it) is skipped', () => {
    const blocked = defineOp<null>('blocked', () => [null]);
    const x = tensor([0.5, -1], { requiresGrad: true, dtype: 'float64' });
    const s = x.sigmoid(); // reached only through `blocked`
    const y = record(blocked, [s], nd.copy(s.toNdarray()), null);
    y.add(x).sum().backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([1, 1]);
  });

  it("summing two gradients never writes into the caller's seed", () => {
    const x = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    const seed = tensor([3, 5], { dtype: 'float64' });
    x.add(x).backward(seed); // add passes the seed through to both of its inputs
    expect(Array.from(seed.toTypedArray())).toEqual([3, 5]);
    expect(Array.from(x.grad!.toTypedArray())).toEqual([6, 10]);
  });
});
