// The machinery under every activation: strided inputs and gradients, reuse, dtype, and the
// per-function loop copies staying bounded however many rules are made.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { rules } from '../../src/activations';
import { compiledLoopCount } from '../../src/activations/loops';
import { expectClose, sigma } from './helpers';
import { gradTensor } from '../grad';

describe('activation engine', () => {
  it('a transposed upstream gradient reaches the right elements', () => {
    const x = tensor([[-1, 2, 3], [4, -5, 6]], { dtype: 'float64', requiresGrad: true });
    const g = tensor([[1, 10], [2, 20], [3, 30]], { dtype: 'float64' });
    x.relu({ backward: 'sigmoid' }).T.backward(g);
    const xs = [-1, 2, 3, 4, -5, 6];
    const gFlat = [1, 2, 3, 10, 20, 30]; // gᵀ in x's layout
    expectClose(gradTensor(x).toTypedArray() as unknown as number[], xs.map((v, i) => gFlat[i] * sigma(v)));
  });

  it('a tensor used twice accumulates both gradients (b = relu(a) + relu(a))', () => {
    const a = tensor([-1, 2], { dtype: 'float64', requiresGrad: true });
    const b = a.relu().add(a.relu({ backward: 'identity' }));
    b.mul(b).sum().backward();
    // d/da of (r1 + r2)²: 2(r1 + r2)·(dr1 + dr2)
    expectClose(Array.from(gradTensor(a).toTypedArray()), [2 * 0 * (0 + 1), 2 * 4 * (1 + 1)]);
  });

  it('gradients keep the input dtype', () => {
    const x = tensor([1, -2], { requiresGrad: true });
    x.tanh({ backward: 'floorAdded' }).sum().backward();
    expect(gradTensor(x).dtype).toBe('float32');
  });

  it('making a rule per step does not compile a loop per rule', () => {
    const x = tensor([-1, 0.5, 2], { requiresGrad: true });
    x.relu({ backward: rules.sigmoidShaped({ k: 1 }) }).sum().backward();
    x.sigmoid({ backward: rules.floorAdded({ c: 0.01 }) }).sum().backward();
    const before = compiledLoopCount();
    for (let step = 1; step <= 50; step++) {
      x.grad = null;
      x.relu({ backward: rules.sigmoidShaped({ k: step }) }).sum().backward();
      x.sigmoid({ backward: rules.floorAdded({ c: step / 100 }) }).sum().backward();
    }
    expect(compiledLoopCount()).toBe(before);
  });
});
