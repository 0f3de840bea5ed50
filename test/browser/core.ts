// Library checks that run inside a real browser page (headless Chromium, scripts/browser-test.mjs):
// the main entry, bundled for the browser, computes what mathematics says it should. Each check's
// oracle is a closed form or a plain loop written here. Results go to window.__surrogradResults.
import { Generator, fromBytes, gradcheck, nn, noGrad, optim, randn, relu, tanh, tensor, toBytes } from 'surrograd';

interface Result {
  name: string;
  ok: boolean;
  detail: string;
}

const checks: [string, () => string][] = [
  [
    'd(Σx²)/dx = 2x',
    () => {
      const x = tensor([1, -2, 3.5], { requiresGrad: true });
      x.mul(x).sum().backward();
      const g = Array.from(x.grad?.toTypedArray() ?? []);
      if (g.join(',') !== '2,-4,7') throw new Error(`got ${g}`);
      return g.join(', ');
    },
  ],
  [
    "relu with backward 'sigmoid' passes σ(x)",
    () => {
      const values = [-2, -0.5, 0.5, 3];
      const x = tensor(values, { requiresGrad: true });
      relu(x, { backward: 'sigmoid' }).sum().backward();
      const g = x.grad?.toTypedArray() ?? [];
      values.forEach((v, i) => {
        const want = 1 / (1 + Math.exp(-v));
        if (Math.abs(g[i] - want) > 1e-6) throw new Error(`at ${v}: ${g[i]} ≠ σ = ${want}`);
      });
      return 'max error < 1e-6';
    },
  ],
  [
    'float32 matmul 96×80 @ 80×64 (the WebAssembly kernel) against a plain loop',
    () => {
      const gen = new Generator(3);
      const a = randn([96, 80], { generator: gen });
      const b = randn([80, 64], { generator: gen });
      const c = a.matmul(b).toArray() as number[][];
      const A = a.toArray() as number[][];
      const B = b.toArray() as number[][];
      let worst = 0;
      for (let i = 0; i < 96; i++) {
        for (let j = 0; j < 64; j++) {
          let s = 0;
          for (let k = 0; k < 80; k++) s += A[i][k] * B[k][j];
          worst = Math.max(worst, Math.abs(s - c[i][j]));
        }
      }
      if (!(worst < 1e-4)) throw new Error(`max error ${worst}`);
      return `max error ${worst.toExponential(1)}`;
    },
  ],
  [
    'gradcheck: tanh(x·W) against float64 central differences',
    () => {
      const gen = new Generator(5);
      const x = randn([3, 4], { generator: gen, dtype: 'float64', requiresGrad: true });
      const w = randn([4, 2], { generator: gen, dtype: 'float64', requiresGrad: true });
      const result = gradcheck((p: typeof x, q: typeof w) => tanh(p.matmul(q)).sum(), [x, w]);
      if (!result.ok) throw new Error(result.message);
      return `max error ${result.maxAbsError.toExponential(1)}`;
    },
  ],
  [
    'toBytes → fromBytes restores a model exactly',
    () => {
      const gen = new Generator(7);
      const a = nn.mlp([2, 6, 2], { activation: 'tanh', generator: gen });
      const b = nn.mlp([2, 6, 2], { activation: 'tanh', generator: new Generator(8) });
      const bytes = toBytes({ model: a });
      fromBytes(bytes, { model: b });
      const x = tensor([[0.3, -1.2], [2, 0.5]]);
      const ya = Array.from(noGrad(() => a.forward(x)).toTypedArray());
      const yb = Array.from(noGrad(() => b.forward(x)).toTypedArray());
      if (ya.join() !== yb.join()) throw new Error(`${ya} ≠ ${yb}`);
      return `${bytes.length} bytes`;
    },
  ],
  [
    'an MLP learns y = 2x − 1 by SGD (loss falls below 1e-3)',
    () => {
      const gen = new Generator(11);
      const model = new nn.Linear(1, 1, { generator: gen });
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const xs = [-1, -0.5, 0, 0.5, 1];
      const x = tensor(xs.map((v) => [v]));
      const y = tensor(xs.map((v) => [2 * v - 1]));
      let loss = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 300; i++) {
        opt.zeroGrad();
        const l = model.forward(x).sub(y).square().mean();
        loss = l.item();
        l.backward();
        opt.step();
      }
      if (!(loss < 1e-3)) throw new Error(`loss ${loss}`);
      return `loss ${loss.toExponential(1)}`;
    },
  ],
];

const results: Result[] = checks.map(([name, run]) => {
  try {
    return { name, ok: true, detail: run() };
  } catch (e) {
    return { name, ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
});

const list = document.createElement('ul');
for (const r of results) {
  const item = document.createElement('li');
  item.textContent = `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`;
  list.append(item);
}
document.body.append(list);
(window as unknown as { __surrogradResults: Result[] }).__surrogradResults = results;
