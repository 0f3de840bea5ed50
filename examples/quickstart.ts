// Quick start: gradients in surrograd, and what "a swappable backward rule" means.
//
// 1. The same ReLU forward differentiated three ways, printed side by side: its exact derivative
//    (0 or 1), the artificial derivative σ(x) of Hu, Zhang & Ge (2021) chosen for one call, and a
//    leaky derivative chosen for everything inside a `withBackward` scope.
// 2. `grad(f)`: a function that returns the gradient of f, checked against the formula.
// 3. A tiny fit: a line y = w·x + b learned by gradient descent (`loss.backward()`, `optim.SGD`).
//
// Run:   npx ts-node examples/quickstart.ts          (add --small, or set SURROGRAD_BUDGET=small,
//                                                      for a shorter fit)
import { grad, manualSeed, optim, randn, tensor, withBackward, type Tensor } from 'surrograd';

const small = process.env.SURROGRAD_BUDGET === 'small' || process.argv.includes('--small');

/** A one-dimensional tensor's values as plain numbers. */
function values(t: Tensor | null): number[] {
  if (t === null) throw new Error('expected a gradient, got null');
  return Array.from(t.toTypedArray());
}

const fmt = (v: number): string => v.toFixed(4).padStart(8);

// ---- 1. exact vs artificial ReLU derivative -------------------------------------------------
const points = [-3, -1, -0.5, 0, 0.5, 1, 3];

const xExact = tensor(points, { requiresGrad: true });
xExact.relu().sum().backward(); // d/dx Σ relu(x) = relu'(x), elementwise

const xSigmoid = tensor(points, { requiresGrad: true });
xSigmoid.relu({ backward: 'sigmoid' }).sum().backward(); // same forward, derivative σ(x)

const xLeaky = tensor(points, { requiresGrad: true });
// every relu recorded inside the scope uses 'leaky' (1 or 0.01); the rule is fixed when relu is
// recorded, so backward() may run after the scope has ended
withBackward({ relu: 'leaky' }, () => xLeaky.relu().sum()).backward();

const reluValues = values(tensor(points).relu());
console.log("1. ReLU's derivative: exact, the artificial 'sigmoid' rule, and 'leaky' from a scope (forward unchanged)");
console.log(`${'x'.padStart(8)}${'relu(x)'.padStart(9)}${'exact'.padStart(9)}${'sigmoid'.padStart(9)}${'leaky'.padStart(9)}`);
const exactGrad = values(xExact.grad);
const sigmoidGrad = values(xSigmoid.grad);
const leakyGrad = values(xLeaky.grad);
points.forEach((p, i) => console.log(`${fmt(p)} ${fmt(reluValues[i])} ${fmt(exactGrad[i])} ${fmt(sigmoidGrad[i])} ${fmt(leakyGrad[i])}`));

// ---- 2. grad(f) -----------------------------------------------------------------------------
// f(x) = Σ log(1 + x²), so df/dx = 2x / (1 + x²)
const f = (x: Tensor): Tensor => x.square().add(1).log().sum();
const df = grad(f);
const at = tensor([-2, 0, 0.5, 3], { dtype: 'float64' });
const computed = values(df(at));
const expected = values(at).map((x) => (2 * x) / (1 + x * x));
console.log('\n2. grad(f) for f(x) = Σ log(1 + x²): computed vs 2x / (1 + x²)');
values(at).forEach((x, i) => console.log(`   x = ${fmt(x)}   grad = ${fmt(computed[i])}   formula = ${fmt(expected[i])}`));

// ---- 3. a tiny fit --------------------------------------------------------------------------
// Noisy points on y = 2x + 1; learn w and b by gradient descent on the mean squared error.
manualSeed(0);
const x = randn([64, 1]);
const y = x.mul(2).add(1).add(randn([64, 1], { std: 0.1 }));
const w = tensor([[0]], { requiresGrad: true });
const b = tensor([0], { requiresGrad: true });
const optimizer = new optim.SGD([w, b], { lr: 0.05 });
const steps = small ? 40 : 120;

console.log(`\n3. fitting y = 2x + 1 from 64 noisy points, ${steps} steps of gradient descent`);
let loss = 0;
for (let step = 1; step <= steps; step++) {
  optimizer.zeroGrad();
  const mse = x.matmul(w).add(b).mseLoss(y);
  mse.backward();
  optimizer.step(); // w ← w − lr·∂loss/∂w, b likewise
  loss = mse.item();
  if (step === 1 || step % (steps / 4) === 0) console.log(`   step ${String(step).padStart(3)}  loss ${loss.toFixed(5)}`);
}
console.log(`   learned w = ${w.item().toFixed(3)}, b = ${b.item().toFixed(3)} (true 2 and 1), final loss ${loss.toFixed(5)}`);
