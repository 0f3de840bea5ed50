// Forward hooks on nn.Module: they fire whoever calls forward, can replace the output, and leave
// no trace (no own `forward`, nothing in the module tree) once removed.
import { describe, expect, it } from 'vitest';
import { Generator, nn, tensor, type Tensor } from '../../src/index';
import type { ForwardHook } from '../../src/nn/module';
import { ArgumentError } from '../../src/errors';

function smallNet(): nn.Sequential {
  return nn.mlp([3, 4, 2], { activation: 'relu', generator: new Generator(1) });
}

describe('Module.registerForwardHook', () => {
  it('runs after the forward of a child called by its Sequential, with the inputs and the output', () => {
    const net = smallNet();
    const first = net.at(0) as nn.Linear;
    const seen: { inputs: readonly Tensor[]; output: Tensor }[] = [];
    first.registerForwardHook((module, inputs, output) => {
      expect(module).toBe(first);
      seen.push({ inputs, output });
    });
    const x = tensor([[1, 2, 3]]);
    net.forward(x);
    expect(seen).toHaveLength(1);
    expect(seen[0].inputs[0]).toBe(x);
    expect(seen[0].output.shape).toEqual([1, 4]);
    expect(seen[0].output.toArray()).toEqual(first.forward(x).toArray());
  });

  it('a hook that returns a tensor replaces the output', () => {
    const net = smallNet();
    const act = net.at(1);
    const handle = act.registerForwardHook((_m, _inputs, output) => output.mul(0));
    const y = net.forward(tensor([[1, 2, 3]]));
    const bias = (net.at(2) as nn.Linear).bias as Tensor;
    expect(y.toArray()).toEqual([bias.toArray()]);
    handle.remove();
    expect(net.forward(tensor([[1, 2, 3]])).toArray()).not.toEqual([bias.toArray()]);
  });

  it('several hooks run in order; remove() takes one off and is safe to call twice', () => {
    const layer = new nn.Linear(2, 2, { generator: new Generator(0) });
    const calls: string[] = [];
    const a = layer.registerForwardHook(() => void calls.push('a'));
    layer.registerForwardHook(() => void calls.push('b'));
    layer.forward(tensor([[1, 1]]));
    expect(calls).toEqual(['a', 'b']);
    a.remove();
    a.remove();
    expect(layer.forwardHookCount).toBe(1);
    layer.forward(tensor([[1, 1]]));
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('without hooks a module has no own forward: nothing wraps the class method', () => {
    const layer = new nn.Linear(2, 2, { generator: new Generator(0) });
    expect(Object.hasOwn(layer, 'forward')).toBe(false);
    const h = layer.registerForwardHook(() => undefined);
    expect(Object.hasOwn(layer, 'forward')).toBe(true);
    h.remove();
    expect(Object.hasOwn(layer, 'forward')).toBe(false);
    expect(layer.forward).toBe(nn.Linear.prototype.forward);
  });

  it('a hooked module keeps the same parameters, children, state dict and printout', () => {
    const net = smallNet();
    const before = { params: net.namedParameters().map(([n]) => n), children: net.namedChildren().map(([n]) => n), text: net.toString() };
    const handles = net.modules().map((m) => m.registerForwardHook(() => undefined));
    expect(net.namedParameters().map(([n]) => n)).toEqual(before.params);
    expect(net.namedChildren().map(([n]) => n)).toEqual(before.children);
    expect(Object.keys(net.stateDict())).toEqual(before.params);
    expect(net.toString()).toBe(before.text);
    for (const h of handles) h.remove();
  });

  it('a hook that returns something other than a tensor is an error naming the module', () => {
    const layer = new nn.Linear(2, 2, { generator: new Generator(0) });
    layer.registerForwardHook((() => 42) as unknown as ForwardHook);
    expect(() => layer.forward(tensor([[1, 1]]))).toThrowWith(ArgumentError, /Linear: a forward hook returned number/);
  });
});
