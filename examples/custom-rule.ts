// Your own backward rules and your own activation.
//
// 1. `registerRule`: give an existing activation (ReLU) a new named rule, from a bare local
//    derivative h(x, y) or from a rule factory, then choose it by name like a built-in.
// 2. An inline rule: `{ derivative: (x, y) => ... }` written in place, for one call.
// 3. `defineActivation`: a new activation (squareplus, Barron 2021) with its exact derivative and
//    its own artificial rules; `listRules` shows what is registered, and `gradcheck` (float64
//    finite differences) confirms that the exact rule is the true derivative — and that an
//    artificial rule, by design, is not.
//
// Run:   npx ts-node examples/custom-rule.ts      (no training here: it takes a second with or
//                                                 without --small / SURROGRAD_BUDGET=small)
import {
  defineActivation,
  gradcheck,
  lastBackwardRules,
  listRules,
  randn,
  registerRule,
  rules,
  tensor,
  withBackward,
  type NoParams,
  type RuleDescription,
  type Tensor,
} from 'surrograd';

// Give the new activation's name a type, so withBackward({ squareplus: ... }) and
// setBackward('squareplus', ...) type-check (the same line works in your project).
declare module 'surrograd' {
  interface ActivationParamMap {
    squareplus: NoParams;
  }
}

const points = [-2, -0.5, 0, 0.5, 2];
const show = (values: readonly number[]): string => values.map((v) => v.toFixed(3).padStart(7)).join('');

/** The gradient of Σ act(x) at `points`: the rule's derivative, elementwise. */
function derivativeAt(act: (x: Tensor) => Tensor): number[] {
  const x = tensor(points, { requiresGrad: true });
  act(x).sum().backward();
  if (x.grad === null) throw new Error('no gradient reached x');
  return Array.from(x.grad.toTypedArray());
}

function printRules(activation: 'relu' | 'squareplus', list: readonly RuleDescription[]): void {
  console.log(`listRules('${activation}'):`);
  for (const r of list) {
    const line = r.description.length > 88 ? `${r.description.slice(0, 87)}…` : r.description;
    console.log(`  ${r.name.padEnd(14)} ${r.exact ? 'exact     ' : 'artificial'}  ${line}`);
  }
}

// ---- 1. registerRule ----
// a ramp from 0 (x ≤ −1) to 1 (x ≥ 1): ReLU's step derivative, smoothed into a straight line
registerRule('relu', 'ramp', (x) => Math.min(1, Math.max(0, (x + 1) / 2)), {
  description: 'clamp((x + 1)/2, 0, 1): a linear ramp instead of the step',
});
// a rule object from a factory, under a name of your choosing
registerRule('relu', 'steepSigmoid', rules.sigmoidShaped({ k: 4 }));

console.log(`x                    ${show(points)}`);
console.log(`relu exact          ${show(derivativeAt((x) => x.relu()))}`);
console.log(`relu 'ramp'         ${show(derivativeAt((x) => x.relu({ backward: 'ramp' })))}`);
console.log(`relu 'steepSigmoid' ${show(derivativeAt((x) => x.relu({ backward: 'steepSigmoid' })))}`);

// ---- 2. an inline rule, for one call ----
const leakyHalf = { derivative: (x: number): number => (x > 0 ? 1 : 0.5) };
console.log(`relu inline         ${show(derivativeAt((x) => x.relu({ backward: leakyHalf })))}`);
console.log('rules used by that backward pass:', JSON.stringify(lastBackwardRules()));
console.log();
printRules('relu', listRules('relu'));

// ---- 3. defineActivation ----
// squareplus(x) = (x + √(x² + b)) / 2, a smooth ReLU made of square roots (b = 4)
const B = 4;
const squareplus = defineActivation({
  name: 'squareplus',
  description: 'squareplus (Barron 2021): (x + √(x² + 4)) / 2, a smooth ReLU without exp',
  forward: (x) => (x + Math.sqrt(x * x + B)) / 2,
  // the exact derivative, h(x, y) with y = f(x): registered as the rule 'exact' (the default)
  derivative: (x) => (1 + x / Math.sqrt(x * x + B)) / 2,
  derivativePeak: 1,
  rules: {
    step: (x) => (x > 0 ? 1 : 0), // a bare h(x, y): ReLU's derivative under a smooth forward
    floor: rules.floorAdded({ c: 0.1 }), // factories adapt to the activation they are applied to
  },
});

console.log();
printRules('squareplus', listRules('squareplus'));
console.log();
console.log(`x                    ${show(points)}`);
console.log(`squareplus(x)       ${show(Array.from(squareplus(tensor(points)).toTypedArray()))}`);
console.log(`squareplus exact    ${show(derivativeAt((x) => squareplus(x)))}`);
console.log(`squareplus 'step'   ${show(derivativeAt((x) => squareplus(x, { backward: 'step' })))}`);
// a scope chooses the rule for every squareplus call inside it
console.log(`squareplus 'floor'  ${show(withBackward({ squareplus: 'floor' }, () => derivativeAt((x) => squareplus(x))))}`);

// gradcheck compares backward with central finite differences in float64
const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
const exactCheck = gradcheck((t) => squareplus(t).mul(t), [x]);
console.log(`\ngradcheck, squareplus exact rule: ${exactCheck.ok ? 'ok' : 'FAILED'} (${exactCheck.message})`);
const stepCheck = gradcheck((t) => squareplus(t, { backward: 'step' }).mul(t), [x]);
console.log(`gradcheck, squareplus 'step' rule: ${stepCheck.ok ? 'ok' : 'differs, as an artificial rule should'}`);
if (!exactCheck.ok || stepCheck.ok) process.exitCode = 1;
