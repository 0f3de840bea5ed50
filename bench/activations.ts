/**
 * What an artificial backward rule costs against the exact one.
 *
 *   npx ts-node bench/activations.ts [reps]
 *
 * The 784-256-256-10 MLP (batch 128, float32), forward + backward (matmul, add, crossEntropy,
 * and the activation after each hidden layer), timed for
 *   relu    exact  vs  relu    'sigmoid' (σ(x), sigmoid-shaped)
 *   sigmoid exact  vs  sigmoid 'floorAdded' (σ'(x) + 0.1)
 *   relu    exact  vs  relu's other rules: 'bSilu', 'leaky', 'identity', 'guided'
 * The exact and artificial steps alternate in one process (ABBA order, so drift and JIT warm-up
 * hit both alike) and the median of each is reported, with the ratio artificial / exact and the
 * median of the per-pair ratios. Target ≤ 1.03.
 *
 * A control row times exact against exact: its distance from 1 is the noise of the machine.
 * For context it also times the activation alone ([128, 256], forward + backward), where the
 * rule's own arithmetic is not hidden behind the matmuls: there relu 'leaky' (a 0/1 mask, like
 * exact) shows what the rule machinery itself costs, and 'sigmoid' adds one exp per element —
 * the price of σ, not of choosing a rule (it is most of what the MLP ratio shows).
 *
 * On a shared machine the MLP rows move by several percent from run to run: read the control
 * row first, and prefer the paired ratio.
 */
import { randn, zeros, onesLike } from '../src/creation';
import { Generator } from '../src/random';
import type { Tensor } from '../src/tensor';
import type { RuleChoice } from '../src/activations';

type Act = 'relu' | 'sigmoid';

export interface Comparison {
  label: string;
  exactMs: number;
  artificialMs: number;
  /** median(artificial) / median(exact) */
  ratio: number;
  /** median over pairs of artificial / exact, each pair timed back to back */
  pairedRatio: number;
}

export interface ActivationBenchResult {
  mlp: Comparison[];
  activationAlone: Comparison[];
}

const BATCH = 128;
const SIZES = [784, 256, 256, 10] as const;

interface Mlp {
  x: Tensor;
  labels: number[];
  params: Tensor[];
}

function makeMlp(seed: number): Mlp {
  const generator = new Generator(seed);
  const params: Tensor[] = [];
  for (let i = 0; i < SIZES.length - 1; i++) {
    const std = Math.sqrt(2 / SIZES[i]);
    params.push(randn([SIZES[i], SIZES[i + 1]], { generator, std, requiresGrad: true }));
    params.push(zeros([SIZES[i + 1]], { requiresGrad: true }));
  }
  const x = randn([BATCH, SIZES[0]], { generator });
  const labels = Array.from({ length: BATCH }, (_, i) => (i * 7) % SIZES[3]);
  return { x, labels, params };
}

/** One forward + backward of the MLP with `act` under `rule`. */
function mlpStep(model: Mlp, act: Act, rule: RuleChoice): void {
  const [w1, b1, w2, b2, w3, b3] = model.params;
  const h1 = model.x.matmul(w1).add(b1)[act]({ backward: rule });
  const h2 = h1.matmul(w2).add(b2)[act]({ backward: rule });
  const loss = h2.matmul(w3).add(b3).crossEntropy(model.labels);
  for (const p of model.params) p.grad = null;
  loss.backward();
}

/** One forward + backward of the activation alone on [128, 256]. */
function aloneStep(input: Tensor, seed: Tensor, act: Act, rule: RuleChoice): void {
  input.grad = null;
  input[act]({ backward: rule }).backward(seed);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Time `exact` and `artificial` alternately (ABBA), `reps` pairs after `warmup` pairs. */
function compare(label: string, reps: number, warmup: number, exact: () => void, artificial: () => void): Comparison {
  const time = (fn: () => void): number => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    let ta: number;
    let tb: number;
    if (i % 2 === 0) {
      ta = time(exact);
      tb = time(artificial);
    } else {
      tb = time(artificial);
      ta = time(exact);
    }
    if (i >= warmup) {
      a.push(ta);
      b.push(tb);
    }
  }
  const exactMs = median(a);
  const artificialMs = median(b);
  return { label, exactMs, artificialMs, ratio: artificialMs / exactMs, pairedRatio: median(b.map((v, i) => v / a[i])) };
}

export function runActivationBench(reps = 40): ActivationBenchResult {
  const model = makeMlp(1);
  const generator = new Generator(2);
  const input = randn([BATCH, 256], { generator, requiresGrad: true });
  const seed = onesLike(input);
  const cases: [string, Act, RuleChoice][] = [
    ['control: relu exact / exact', 'relu', 'exact'], // A/A: how much of a ratio is noise
    ["relu: 'sigmoid' / exact", 'relu', 'sigmoid'],
    ["sigmoid: 'floorAdded' / exact", 'sigmoid', 'floorAdded'],
    // relu's other rules, each on its own float32 fast path (session 5: relu exact's backward is a
    // WASM kernel too, so every rule needs one to stay within the target)
    ["relu: 'bSilu' / exact", 'relu', 'bSilu'],
    ["relu: 'leaky' / exact", 'relu', 'leaky'],
    ["relu: 'identity' / exact", 'relu', 'identity'],
    ["relu: 'guided' / exact", 'relu', 'guided'],
  ];
  const mlp = cases.map(([label, act, rule]) =>
    compare(label, reps, 5, () => mlpStep(model, act, 'exact'), () => mlpStep(model, act, rule)),
  );
  // 'leaky' does the same arithmetic as exact (a comparison): it measures the rule machinery alone
  const alone: [string, Act, RuleChoice][] = [cases[0], ["relu: 'leaky' / exact", 'relu', 'leaky'], ...cases.slice(1, 3)];
  const activationAlone = alone.map(([label, act, rule]) =>
    compare(label, reps * 10, 50, () => aloneStep(input, seed, act, 'exact'), () => aloneStep(input, seed, act, rule)),
  );
  return { mlp, activationAlone };
}

function format(rows: Comparison[]): string {
  return rows
    .map(
      (r) =>
        `  ${r.label.padEnd(32)} exact ${r.exactMs.toFixed(3).padStart(8)} ms   artificial ${r.artificialMs.toFixed(3).padStart(8)} ms` +
        `   ratio ${r.ratio.toFixed(3)}   paired ${r.pairedRatio.toFixed(3)}`,
    )
    .join('\n');
}

if (require.main === module) {
  const reps = Number(process.argv[2] ?? 40);
  const result = runActivationBench(reps);
  console.log(`MLP 784-256-256-10, batch ${BATCH}, float32, forward + backward, median of ${reps} alternated steps (target ratio ≤ 1.03):`);
  console.log(format(result.mlp));
  console.log(`activation alone, [${BATCH}, 256] forward + backward, median of ${reps * 10}:`);
  console.log(format(result.activationAlone));
}
