// What a diagnostic pass must leave as it found: every parameter's `.grad` and every buffer's
// values (a training-mode BatchNorm updates its running statistics on each forward).
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import type { Module } from '../nn/module';

export interface SavedState {
  grads: [Tensor, Tensor | null][];
  buffers: [Tensor, Float32Array | Float64Array][];
}

export function saveState(model: Module): SavedState {
  return {
    grads: model.parameters().map((p): [Tensor, Tensor | null] => [p, p.grad]),
    buffers: model.buffers().map((b): [Tensor, Float32Array | Float64Array] => [b, nd.copy(b.data).data]),
  };
}

export function restoreState(state: SavedState): void {
  for (const [p, g] of state.grads) p.grad = g;
  for (const [b, values] of state.buffers) {
    b.bumpVersion();
    if (nd.isContiguous(b.data)) b.data.data.set(values);
    else nd.assign(b.data, nd.wrap(values, b.shape));
  }
}
