// Functional forms on top of the tape, in the manner of JAX: `grad(f)` is a function that
// returns the gradient of f with respect to its arguments. The caller's tensors are not touched:
// each differentiated argument is replaced by a fresh leaf that shares its data, and backward
// writes .grad on those leaves only (not on parameters or other tensors f uses).
import * as nd from '../nd';
import { ArgumentError, GraphError } from '../errors';
import { Tensor } from '../tensor';
import { backward, enableGrad } from './tape';
import { describeValue, validator } from '../validate';

type Fn = (...args: Tensor[]) => Tensor;

function differentiate(f: Fn, argnums: readonly number[], args: Tensor[]): [Tensor, Tensor[]] {
  for (const i of argnums) {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) {
      throw new ArgumentError(`grad: argnums ${i} is out of range for a call with ${args.length} arguments`);
    }
    if (!(args[i] instanceof Tensor)) {
      throw new ArgumentError(
        `grad: argument ${i} is differentiated but is ${describeValue(args[i])}, not a Tensor; pass tensor(...) (e.g. tensor(${describeValue(args[i])}, { dtype: 'float64' }))`,
      );
    }
  }
  const leaves = args.map((a, i) => (argnums.includes(i) ? new Tensor(a.data, true, true) : a));
  // like torch.func.grad: differentiate even when called inside noGrad
  const value = enableGrad(() => f(...leaves));
  if (!(value instanceof Tensor) || value.size !== 1) {
    throw new GraphError(
      'grad: the function must return a one-element tensor (a scalar loss); reduce it first, e.g. with .sum()',
    );
  }
  // like torch.autograd.grad: only the fresh leaves get a gradient; every other tensor f reaches
  // (a model's parameters, an argument not differentiated) keeps its .grad as it was
  if (value.requiresGrad) backward(value, undefined, { inputs: argnums.map((i) => leaves[i]) });
  // an argument the value does not depend on has a zero gradient
  const grads = argnums.map((i) => leaves[i].grad ?? new Tensor(nd.zeros(leaves[i].shape, leaves[i].dtype)));
  return [value.detach(), grads];
}

/** f must be a function and argnums an integer ≥ 0 or a list of distinct ones. */
function checkArgnums(op: string, f: unknown, argnums: unknown): number[] {
  const v = validator(op);
  v.func('f', f);
  if (typeof argnums === 'number') return [v.integer('argnums', argnums, { min: 0 })];
  const list = v.integers('argnums', argnums, { min: 0 });
  if (new Set(list).size !== list.length) throw v.invalid('argnums', argnums, 'distinct argument indices');
  return list;
}

/** `grad(f)(x, y)` is df/dx; `grad(f, [0, 1])(x, y)` is [df/dx, df/dy]. */
export function grad(f: Fn, argnums?: number): (...args: Tensor[]) => Tensor;
export function grad(f: Fn, argnums: readonly number[]): (...args: Tensor[]) => Tensor[];
export function grad(f: Fn, argnums: number | readonly number[] = 0): (...args: Tensor[]) => Tensor | Tensor[] {
  const list = checkArgnums('grad', f, argnums);
  return (...args) => {
    const [, grads] = differentiate(f, list, args);
    return typeof argnums === 'number' ? grads[0] : grads;
  };
}

/** Like `grad`, but returns [f(args), gradients] from one forward pass. */
export function valueAndGrad(f: Fn, argnums?: number): (...args: Tensor[]) => [Tensor, Tensor];
export function valueAndGrad(f: Fn, argnums: readonly number[]): (...args: Tensor[]) => [Tensor, Tensor[]];
export function valueAndGrad(
  f: Fn,
  argnums: number | readonly number[] = 0,
): (...args: Tensor[]) => [Tensor, Tensor | Tensor[]] {
  const list = checkArgnums('valueAndGrad', f, argnums);
  return (...args) => {
    const [value, grads] = differentiate(f, list, args);
    return [value, typeof argnums === 'number' ? grads[0] : grads];
  };
}
