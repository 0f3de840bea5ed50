import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, type Tensor, nn, optim, rules, tensor, zeros } from '../../src/index';
import { StateDictError } from '../../src/nn/module';

/** A state dict's values as plain arrays (tensors themselves differ in their ids). */
function values(state: nn.StateDict): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.toArray()]));
}

class Net extends nn.Module {
  fc1 = new nn.Linear(3, 4, { generator: new Generator(1) });
  act = new nn.ReLU({ backward: 'sigmoid' });
  block = new nn.Sequential(new nn.Linear(4, 4, { generator: new Generator(2) }), new nn.BatchNorm1d(4));
  fc2 = new nn.Linear(4, 2, { bias: false, generator: new Generator(3) });
  scale = new nn.Parameter(tensor([2]));

  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.block.forward(this.act.forward(this.fc1.forward(x)))).mul(this.scale);
  }
}

describe('Module structure', () => {
  it('namedParameters gives dotted names in declaration order, own parameters first', () => {
    const names = new Net().namedParameters().map(([n]) => n);
    expect(names).toEqual(['scale', 'fc1.weight', 'fc1.bias', 'block.0.weight', 'block.0.bias', 'block.1.weight', 'block.1.bias', 'fc2.weight']);
  });

  it('mlp children are numbered like a PyTorch Sequential', () => {
    const m = nn.mlp([784, 256, 256, 10]);
    expect(m.namedParameters().map(([n, p]) => `${n} [${p.shape}]`)).toEqual([
      '0.weight [256,784]',
      '0.bias [256]',
      '2.weight [256,256]',
      '2.bias [256]',
      '4.weight [10,256]',
      '4.bias [10]',
    ]);
    expect(m.numParameters()).toBe(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10);
    expect(m.length).toBe(5);
    expect(m.at(1)).toBeInstanceOf(nn.ReLU);
  });

  it('numParameters counts each shared parameter once; trainableOnly skips frozen ones', () => {
    const shared = new nn.Linear(2, 2);
    const model = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect(model.parameters().length).toBe(2);
    expect(model.numParameters()).toBe(6);
    shared.bias?.requiresGrad_(false);
    expect(model.numParameters({ trainableOnly: true })).toBe(4);
    model.requiresGrad_(false);
    expect(model.numParameters({ trainableOnly: true })).toBe(0);
  });

  it('children, modules and buffers', () => {
    const net = new Net();
    expect(net.namedChildren().map(([n]) => n)).toEqual(['fc1', 'act', 'block', 'fc2']);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'act', 'block', 'block.0', 'block.1', 'fc2']);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['block.1.runningMean', 'block.1.runningVar', 'block.1.numBatchesTracked']);
  });

  it('train() and eval() are recursive', () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it('apply visits children before the parent', () => {
    const order: string[] = [];
    new nn.Sequential(new nn.Linear(1, 1), new nn.Tanh()).apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Linear', 'Tanh', 'Sequential']);
  });

  it('apply with an initialiser re-initialises every Linear', () => {
    const model = nn.mlp([3, 5, 2]);
    model.apply((m) => {
      if (m instanceof nn.Linear) nn.init.constant(m.weight, 0.5);
    });
    expect((model.at(0) as nn.Linear).weight.toTypedArray().every((v) => v === 0.5)).toBe(true);
  });

  it('zeroGrad sets gradients to null', () => {
    const lin = new nn.Linear(2, 1);
    lin.forward(tensor([[1, 2]])).sum().backward();
    expect(lin.weight.grad).not.toBeNull();
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
    expect(lin.bias?.grad).toBeNull();
  });

  it('toString shows the tree, the options, parameter shapes and each activation rule', () => {
    const text = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU({ backward: 'sigmoid' }), new nn.Tanh(), new nn.Linear(256, 10)).toString();
    expect(text).toBe(
      [
        'Sequential(',
        '  (0): Linear(inFeatures=784, outFeatures=256, bias=true)  {weight [256, 784], bias [256]}',
        "  (1): ReLU(backward='sigmoid')",
        '  (2): Tanh(backward=inherit (now exact))',
        '  (3): Linear(inFeatures=256, outFeatures=10, bias=true)  {weight [10, 256], bias [10]}',
        ')',
        '(203,530 parameters)',
      ].join('\n'),
    );
  });

  it('registerBuffer: persistent buffers are in the state dict, others are not', () => {
    class WithBuffers extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('kept', zeros([2]));
        this.registerBuffer('scratch', zeros([3]), false);
      }
      override forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new WithBuffers();
    expect(Object.keys(m.stateDict())).toEqual(['kept']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['kept', 'scratch']);
  });

  it('to(dtype) converts parameters and buffers', () => {
    const m = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3)).to('float64');
    expect(m.parameters().every((p) => p.dtype === 'float64')).toBe(true);
    expect(m.buffers().every((b) => b.dtype === 'float64')).toBe(true);
    expect(m.forward(tensor([[1, 2], [3, 4]], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('to(dtype) converts in place: the same Parameter and buffer objects, gradients dropped, old graphs refused', () => {
    const m = new nn.Sequential(new nn.Linear(2, 3, { generator: new Generator(3) }), new nn.BatchNorm1d(3));
    const params = m.parameters();
    const buffers = m.buffers();
    const w32 = Array.from(params[0].toTypedArray());
    const names = Object.keys(m.stateDict());
    const stale = m.forward(tensor([[1, 2], [3, 4]])).sum(); // recorded on the float32 storage
    stale.backward({ retainGraph: true });
    expect(params[0].grad).not.toBeNull();
    m.to('float64');
    expect(m.parameters()).toEqual(params);
    m.parameters().forEach((p, i) => expect(p).toBe(params[i]));
    m.buffers().forEach((b, i) => expect(b).toBe(buffers[i]));
    expect(params.every((p) => p.dtype === 'float64' && p.grad === null && p.requiresGrad)).toBe(true);
    expect(buffers.every((b) => b.dtype === 'float64')).toBe(true);
    expect(Array.from(params[0].toTypedArray())).toEqual(w32); // float32 → float64 is exact
    expect(Object.keys(m.stateDict())).toEqual(names);
    expect(() => stale.backward()).toThrow(/modified|version|changed|in place/i);
  });

  it('to() keeps a parameter shared by two layers shared (one object, converted once)', () => {
    const shared = new nn.Linear(2, 2, { generator: new Generator(4) });
    const m = new nn.Sequential(shared, new nn.Tanh(), shared);
    const before = Array.from(shared.weight.toTypedArray());
    const names = Object.keys(m.stateDict());
    m.to('float64');
    expect(m.parameters()).toHaveLength(2);
    expect(m.parameters()[0]).toBe(shared.weight);
    expect(Array.from(shared.weight.toTypedArray())).toEqual(before);
    expect(Object.keys(m.stateDict())).toEqual(names);
    expect(m.forward(tensor([[0.5, -1]], { dtype: 'float64' })).dtype).toBe('float64');
  });

  it('an optimizer made before to() still updates the parameters: W ← W − lr·Σx, b ← b − lr·N', () => {
    const lin = new nn.Linear(2, 1, { generator: new Generator(5) });
    const opt = new optim.SGD(lin.parameters(), { lr: 0.25 });
    lin.to('float64');
    const w0 = Array.from(lin.weight.toTypedArray());
    const b0 = lin.bias!.item();
    const x = tensor([[0.1, -0.7], [0.3, 0.2], [1.1, 0.4]], { dtype: 'float64' });
    lin.forward(x).sum().backward(); // ∂/∂W = Σ_n x_n, ∂/∂b = N
    opt.step();
    expect(lin.weight.dtype).toBe('float64');
    const w1 = Array.from(lin.weight.toTypedArray());
    expect(w1[0]).toBeCloseTo(w0[0] - 0.25 * (0.1 + 0.3 + 1.1), 14);
    expect(w1[1]).toBeCloseTo(w0[1] - 0.25 * (-0.7 + 0.2 + 0.4), 14);
    expect(lin.bias!.item()).toBeCloseTo(b0 - 0.25 * 3, 14);
  });

  it('after to(), a rule reading an nn.Parameter still trains it: α ← α − lr·Σ g·∂S/∂α', () => {
    // heaviside with the atan surrogate S(u) = atan(π·α·u/2)/π + 1/2, so ∂S/∂α = (u/2) / (1 + (π·α·u/2)²)
    const alpha = new nn.Parameter(tensor(2));
    const act = new nn.Activation('heaviside', { backward: rules.atan({ alpha }) });
    const model = new nn.Sequential(act);
    expect(model.namedParameters().map(([n, p]) => [n, p === alpha])).toEqual([['0.rule.alpha', true]]);
    model.to('float64');
    expect(model.parameters()[0]).toBe(alpha);
    expect(alpha.dtype).toBe('float64');
    const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
    const xs = [0.3, -0.2, 1.0, 0.5];
    const coef = [1, 2, -1, 3]; // upstream gradient g
    const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
    const y = model.forward(x);
    expect(y.dtype).toBe('float64');
    y.mul(tensor(coef, { dtype: 'float64' })).sum().backward();
    const grad = xs.reduce((s, u, i) => s + coef[i] * (u / 2) / (1 + (Math.PI * 2 * u / 2) ** 2), 0);
    expect(alpha.grad).not.toBeNull();
    expect(alpha.grad!.dtype).toBe('float64');
    expect(alpha.grad!.item()).toBeCloseTo(grad, 12);
    // the input's gradient is g·∂S/∂u = g·(α/2) / (1 + (π·α·u/2)²)
    expect(Array.from(x.grad!.toTypedArray()).map((v, i) => v - coef[i] * 1 / (1 + (Math.PI * xs[i]) ** 2)).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    opt.step();
    expect(alpha.item()).toBeCloseTo(2 - 0.5 * grad, 12);
  });

  it('to() keeps a learnable rule parameter (nn.learnable) float64 and the same object', () => {
    const rho = nn.learnable(2);
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Activation('heaviside', { backward: rules.atan({ alpha: rho }) }));
    m.to('float32').to('float64').to('float32');
    expect(m.parameters()[2]).toBe(rho);
    expect(rho.dtype).toBe('float64');
    expect(rho.value).toBeCloseTo(2, 12);
  });
});

describe('stateDict / loadStateDict', () => {
  it('round trip: a second model loaded from the first computes the same outputs', () => {
    const a = new Net();
    const b = new Net();
    for (const p of b.parameters()) p.toNdarray().data.fill(0.123);
    a.forward(tensor([[1, 2, 3], [4, 5, 6]])); // move the running statistics
    b.loadStateDict(a.stateDict());
    a.eval();
    b.eval();
    const x = tensor([[0.5, -1, 2], [1, 1, 1]]);
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    expect(values(b.block.at(1).stateDict())).toEqual(values(a.block.at(1).stateDict()));
  });

  it('keys are parameters then buffers per module; values are copies', () => {
    const bn = new nn.BatchNorm1d(2);
    const state = bn.stateDict();
    expect(Object.keys(state)).toEqual(['weight', 'bias', 'runningMean', 'runningVar', 'numBatchesTracked']);
    state.weight.toNdarray().data.fill(9);
    expect(bn.weight?.toTypedArray()[0]).toBe(1);
  });

  it('strict loading reports missing, unexpected and mismatched keys all at once and changes nothing', () => {
    const model = nn.mlp([2, 3, 1]);
    const before = model.stateDict();
    const state = model.stateDict();
    delete state['0.bias'];
    state['9.weight'] = zeros([1]);
    state['2.weight'] = zeros([5, 5]);
    state['0.weight'] = zeros([3, 2]); // valid: must not be applied either
    let error: unknown;
    try {
      model.loadStateDict(state);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(nn.StateDictError);
    const e = error as nn.StateDictError;
    expect(e.missingKeys).toEqual(['0.bias']);
    expect(e.unexpectedKeys).toEqual(['9.weight']);
    expect(e.shapeMismatches).toEqual([{ key: '2.weight', expected: [1, 3], got: [5, 5] }]);
    expect(e.message).toMatch(/missing keys: 0\.bias/);
    expect(e.message).toMatch(/unexpected keys: 9\.weight/);
    expect(e.message).toMatch(/shape mismatch for '2\.weight'/);
    expect(values(model.stateDict())).toEqual(values(before));
  });

  it('non-strict loading returns missing and unexpected keys, but a shape mismatch is still an error', () => {
    const model = nn.mlp([2, 3, 1]);
    const state = model.stateDict();
    delete state['2.bias'];
    state.extra = zeros([1]);
    state['0.weight'] = zeros([3, 2]);
    const result = model.loadStateDict(state, { strict: false });
    expect(result).toEqual({ missingKeys: ['2.bias'], unexpectedKeys: ['extra'] });
    expect((model.at(0) as nn.Linear).weight.toTypedArray().every((v) => v === 0)).toBe(true);
    const before = model.stateDict();
    expect(() => model.loadStateDict({ '0.weight': zeros([2, 3]), '0.bias': zeros([3]) }, { strict: false })).toThrowWith(StateDictError, 
      /shape mismatch for '0\.weight'/,
    );
    expect(values(model.stateDict())).toEqual(values(before));
  });

  it('loading converts dtypes and keeps the parameter objects (optimizers keep working)', () => {
    const model = nn.mlp([2, 2]);
    const weight = (model.at(0) as nn.Linear).weight;
    const state64 = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.to('float64').mul(0).add(1)]));
    model.loadStateDict(state64);
    expect((model.at(0) as nn.Linear).weight).toBe(weight);
    expect(weight.dtype).toBe('float32');
    expect(Array.from(weight.toTypedArray())).toEqual([1, 1, 1, 1]);
  });

  it('rejects non-tensors and names them', () => {
    const model = new nn.Linear(1, 1);
    expect(() => model.loadStateDict({ weight: [[1]] as unknown as Tensor, bias: zeros([1]) })).toThrowWith(StateDictError, /not tensors: weight/);
    expect(() => model.loadStateDict(null as never)).toThrow(ArgumentError);
  });
});
