// `gradTensor(x)`: x's gradient, failing the test when there is none. Reading `x.grad?.…` in an
// assertion passes silently when .grad was never set; this cannot.
import type { Tensor } from '../src/tensor';

export function gradTensor(t: Tensor): Tensor {
  if (t.grad === null) throw new Error(`expected a gradient on the tensor of shape [${t.shape.join(', ')}], got none (.grad is null)`);
  return t.grad;
}
