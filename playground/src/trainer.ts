// The training behind the page, independent of the DOM so that it runs in the Web Worker and
// in the test suite alike: an MLP on a 2-D set, trained a few steps at a time, and a snapshot of
// what the page draws after each chunk of steps.
import {
  type ActivationName,
  Generator,
  type Tensor,
  diagnostics,
  nn,
  noGrad,
  optim,
  tensor,
} from 'surrograd';
import { type Config, type OptimizerKind, layerRule } from './config';
import { type PlaygroundData, type Points, makeData } from './datasets';
import { type RuleSpec, formatRule, ruleChoice } from './rules';

/** Side of the square grid on which the decision boundary is evaluated. */
export const GRID = 48;

/** What the page draws, after some steps. */
export interface Snapshot {
  step: number;
  epoch: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** ‖∂L/∂W‖ of each weight layer (depth + 1 of them, input side first), after the last step. */
  gradNorms: number[];
  /** Per hidden layer: fraction of dead units on the training set (rectifiers), else null. */
  dead: (number | null)[];
  /** Per hidden layer: fraction of saturated values (sigmoid, tanh, relu6), else null. */
  saturated: (number | null)[];
  /** Per weight layer: cos ∠(gradient under the rules, exact gradient) on a reference batch. */
  agreement: number[];
  /** P(class 1) at GRID × GRID points over [-extent, extent]², row by row from the top. */
  grid: Float32Array;
  /** The rule of each hidden layer, as written in the URL. */
  rules: string[];
  /** The loss is NaN or infinite: training stopped; reset to start again. */
  diverged: boolean;
}

export class Trainer {
  readonly config: Config;
  readonly data: PlaygroundData;
  readonly model: nn.Sequential;
  private optimizer: Stepper;
  private readonly hidden: nn.Activation[];
  private readonly trainX: Tensor;
  private readonly testX: Tensor;
  private readonly gridX: Tensor;
  private readonly batches: Generator;
  private order: number[] = [];
  private cursor = 0;
  private lastGradNorms: number[];
  steps = 0;
  diverged = false;

  constructor(config: Config) {
    this.config = { ...config, layerRules: [...config.layerRules] };
    this.data = makeData(config.dataset, config.noise, config.seed);
    const init = new Generator(config.seed);
    const layers: nn.Module[] = [];
    this.hidden = [];
    let inputs = 2;
    for (let i = 0; i < config.depth; i++) {
      layers.push(new nn.Linear(inputs, config.width, { generator: init }));
      const act = nn.activation(config.activation, { backward: ruleChoice(config.activation, layerRule(config, i)) });
      this.hidden.push(act);
      layers.push(act);
      inputs = config.width;
    }
    layers.push(new nn.Linear(inputs, 2, { generator: init }));
    this.model = new nn.Sequential(...layers);
    this.optimizer = makeOptimizer(config.optimizer, this.model.parameters(), config.lr);
    this.trainX = toTensor(this.data.train);
    this.testX = toTensor(this.data.test);
    this.gridX = gridPoints(this.data.extent);
    this.batches = new Generator(config.seed + 1);
    this.lastGradNorms = new Array<number>(config.depth + 1).fill(0);
  }

  /** Switch the rules of the hidden layers now, keeping the weights and the optimizer's state. */
  setRules(rule: RuleSpec, layerRules: readonly (RuleSpec | null)[]): void {
    const choices = this.hidden.map((_, i) => ruleChoice(this.config.activation, layerRules[i] ?? rule));
    this.hidden.forEach((layer, i) => {
      layer.backward = choices[i];
    });
    this.config.rule = rule;
    this.config.layerRules = [...layerRules];
  }

  /** Change the learning rate now. */
  setLr(lr: number): void {
    for (const group of this.optimizer.paramGroups) group.lr = lr;
    this.config.lr = lr;
  }

  /** Change the optimizer now (its state starts afresh). */
  setOptimizer(kind: OptimizerKind): void {
    this.optimizer = makeOptimizer(kind, this.model.parameters(), this.config.lr);
    this.config.optimizer = kind;
  }

  /** `n` optimizer steps on mini-batches (reshuffled each epoch); stops early if the loss diverges. */
  train(n: number): void {
    const { train } = this.data;
    for (let s = 0; s < n && !this.diverged; s++) {
      if (this.cursor >= this.order.length) {
        this.order = this.batches.permutation(train.labels.length);
        this.cursor = 0;
      }
      const ids = this.order.slice(this.cursor, this.cursor + this.config.batchSize);
      this.cursor += ids.length;
      const x = tensor(ids.map((i) => [train.x[2 * i], train.x[2 * i + 1]]));
      const labels = ids.map((i) => train.labels[i]);
      this.optimizer.zeroGrad();
      const loss = this.model.forward(x).crossEntropy(labels);
      const value = loss.item();
      if (!Number.isFinite(value)) {
        this.diverged = true;
        break;
      }
      loss.backward();
      this.lastGradNorms = diagnostics.layerGradNorms(this.model).map((l) => l.weightGradNorm);
      this.optimizer.step();
      this.steps++;
      if (this.lastGradNorms.some((g) => !Number.isFinite(g))) this.diverged = true;
    }
  }

  /** Everything the page shows, measured now. */
  snapshot(): Snapshot {
    const { train, test } = this.data;
    const trainEval = this.evaluate(this.trainX, train.labels);
    const testEval = this.evaluate(this.testX, test.labels);
    const diverged = this.diverged || !Number.isFinite(trainEval.loss);
    this.diverged = diverged;

    const m = diagnostics.monitor(this.model, { outputGradients: false });
    let report: diagnostics.MonitorReport;
    try {
      noGrad(() => this.model.forward(this.trainX));
      report = m.report();
    } finally {
      m.remove();
    }
    const reference = this.trainX.slice([[0, 128]]);
    const referenceLabels = train.labels.slice(0, 128);
    const agreement = diverged
      ? new Array<number>(this.config.depth + 1).fill(Number.NaN)
      : diagnostics.ruleAgreement(this.model, () => this.model.forward(reference).crossEntropy(referenceLabels)).map((a) => a.cosine);
    const probabilities = noGrad(() => this.model.forward(this.gridX).softmax(1)).toTypedArray();
    const grid = new Float32Array(GRID * GRID);
    for (let i = 0; i < grid.length; i++) grid[i] = probabilities[2 * i + 1];
    return {
      step: this.steps,
      epoch: this.steps * this.config.batchSize / train.labels.length,
      trainLoss: trainEval.loss,
      testLoss: testEval.loss,
      trainAccuracy: trainEval.accuracy,
      testAccuracy: testEval.accuracy,
      gradNorms: [...this.lastGradNorms],
      dead: report.activations.map((a) => a.deadFraction),
      saturated: report.activations.map((a) => a.saturatedFraction),
      agreement,
      grid,
      rules: this.hidden.map((_, i) => formatRule(layerRule(this.config, i))),
      diverged,
    };
  }

  private evaluate(x: Tensor, labels: readonly number[]): { loss: number; accuracy: number } {
    return noGrad(() => {
      const logits = this.model.forward(x);
      const loss = logits.crossEntropy(labels).item();
      const predicted = logits.argmax(1).toTypedArray();
      const correct = labels.filter((label, i) => predicted[i] === label).length;
      return { loss, accuracy: correct / labels.length };
    });
  }
}

/** What the trainer needs of an optimizer. */
interface Stepper {
  readonly paramGroups: { lr: number }[];
  step(): void;
  zeroGrad(): void;
}

function makeOptimizer(kind: OptimizerKind, params: Tensor[], lr: number): Stepper {
  switch (kind) {
    case 'sgd':
      return new optim.SGD(params, { lr });
    case 'momentum':
      return new optim.SGD(params, { lr, momentum: 0.9 });
    case 'adam':
      return new optim.Adam(params, { lr });
    case 'rmsprop':
      return new optim.RMSprop(params, { lr });
  }
}

function toTensor(points: Points): Tensor {
  return tensor(Array.from({ length: points.labels.length }, (_, i) => [points.x[2 * i], points.x[2 * i + 1]]));
}

/** The grid's points, row by row from the top (y = extent) down, left to right. */
function gridPoints(extent: number): Tensor {
  const rows: number[][] = [];
  for (let r = 0; r < GRID; r++) {
    const y = extent - ((r + 0.5) / GRID) * 2 * extent;
    for (let c = 0; c < GRID; c++) rows.push([-extent + ((c + 0.5) / GRID) * 2 * extent, y]);
  }
  return tensor(rows);
}

/** The activation of the hidden layers, typed: what the page offers. */
export type { ActivationName };
