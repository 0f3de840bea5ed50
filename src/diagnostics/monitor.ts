// A monitor attaches forward hooks to a model's layers and reads, after a forward and backward
// pass, what the parameters' gradients alone cannot tell:
//
//   - the gradient reaching each weight layer's output (the hook calls retainGrad() on it, which
//     only asks the tape to keep that gradient: values and parameter gradients are unchanged);
//   - per activation layer: dead units, saturation, and statistics of its input and output,
//     accumulated over every forward call since the last reset (so a reference set can be fed
//     in several batches).
//
// `remove()` takes the hooks off; a model without hooks runs exactly its own code again.
import * as nd from '../nd';
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import type { Module, RemovableHandle } from '../nn/module';
import { activationLayers, gradNormOf, norm, ruleName, weightLayers } from './layers';
import { firstLastRatio, type LayerGradNorm } from './norms';

/**
 * |x| above which a unit counts as saturated, by activation. Sigmoid 4 and tanh 2 are the same
 * point (tanh(x) = 2σ(2x) − 1): there the derivative is 7.1% of its peak.
 */
export const DEFAULT_SATURATION: Readonly<Record<string, number>> = Object.freeze({ sigmoid: 4, tanh: 2 });

/** The activations whose units can die: their exact derivative is 0 (leakyRelu: only `slope`) for x ≤ 0. */
export const DEFAULT_RECTIFIERS: readonly string[] = Object.freeze(['relu', 'relu6', 'leakyRelu']);

export interface MonitorOptions {
  /** |x| thresholds for saturation by activation name (default DEFAULT_SATURATION; merged over it). */
  saturation?: Readonly<Record<string, number>>;
  /** Activations whose dead units are counted (default DEFAULT_RECTIFIERS). */
  rectifiers?: readonly string[];
  /** Keep the gradient of each weight layer's output (default true). */
  outputGradients?: boolean;
  /** Measure the activation layers (default true). */
  activations?: boolean;
}

/** What a monitor saw at one activation layer, over every sample since the last reset. */
export interface ActivationReport {
  /** The dotted module name. */
  name: string;
  /** The activation ('relu', 'sigmoid', ...). */
  activation: string;
  /** The layer's backward rule ('exact', 'floorAdded', 'inherit' when it follows scopes). */
  rule: string;
  /** Units: the values of one sample (the product of the non-batch dimensions). */
  units: number;
  /** Samples seen (rows of the inputs, over every forward call). */
  samples: number;
  /** Mean and standard deviation (population) of the input, the pre-activation x. */
  inputMean: number;
  inputStd: number;
  /** Mean, standard deviation and fraction of exact zeros of the output. */
  mean: number;
  std: number;
  fractionZero: number;
  /**
   * For a rectifier: the fraction of units whose input was ≤ 0 for every sample seen (dead: the
   * exact rule passes them no gradient; for leakyRelu only `slope` times it). Null otherwise;
   * NaN when an input was NaN or infinite.
   */
  deadFraction: number | null;
  /**
   * For an activation with a saturation threshold: the fraction of all values with |x| > threshold.
   * Null otherwise; NaN when an input was NaN or infinite.
   */
  saturatedFraction: number | null;
  /** The threshold used, or null. */
  saturationThreshold: number | null;
}

export interface MonitorReport {
  /** Gradient norms of every weight layer, input side first (outputGradNorm filled in). */
  layers: LayerGradNorm[];
  activations: ActivationReport[];
  /** ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ (see firstLastRatio). */
  firstLastRatio: number;
  /** Dead units over all rectifier units of the model, or null if it has no rectifier layers. */
  deadFraction: number | null;
  /** Saturated values over all values of the saturating layers, or null if there are none. */
  saturatedFraction: number | null;
}

/** Running sums for one activation layer. */
class ActivationAccumulator {
  units = 0;
  samples = 0;
  count = 0;
  inSum = 0;
  inSumSq = 0;
  outSum = 0;
  outSumSq = 0;
  zeros = 0;
  saturated = 0;
  /** Inputs that were NaN or ±Infinity (a diverged model): dead and saturated fractions are then NaN. */
  nonFinite = 0;
  /** 1 where a unit's input was > 0 for some sample (rectifiers only). */
  alive: Uint8Array | null = null;

  constructor(
    readonly rectifier: boolean,
    readonly threshold: number | null,
  ) {}

  add(x: Tensor, y: Tensor): void {
    const xs = nd.contiguous(x.data).data;
    const ys = nd.contiguous(y.data).data;
    const samples = x.ndim === 0 ? 1 : x.shape[0];
    const units = samples === 0 ? 0 : xs.length / samples;
    if (this.samples > 0 && units !== this.units) this.reset(); // a new input shape: start over
    if (this.rectifier && (this.alive === null || this.alive.length !== units)) this.alive = new Uint8Array(units);
    this.units = units;
    this.samples += samples;
    this.count += xs.length;
    const alive = this.alive;
    const t = this.threshold;
    let inSum = 0;
    let inSumSq = 0;
    let saturated = 0;
    let nonFinite = 0;
    for (let i = 0, j = 0; i < xs.length; i++, j++) {
      if (j === units) j = 0;
      const v = xs[i];
      if (!Number.isFinite(v)) nonFinite++;
      inSum += v;
      inSumSq += v * v;
      if (alive !== null && v > 0) alive[j] = 1;
      if (t !== null && Math.abs(v) > t) saturated++;
    }
    let outSum = 0;
    let outSumSq = 0;
    let zeros = 0;
    for (let i = 0; i < ys.length; i++) {
      const v = ys[i];
      outSum += v;
      outSumSq += v * v;
      if (v === 0) zeros++;
    }
    this.inSum += inSum;
    this.inSumSq += inSumSq;
    this.outSum += outSum;
    this.outSumSq += outSumSq;
    this.zeros += zeros;
    this.saturated += saturated;
    this.nonFinite += nonFinite;
  }

  reset(): void {
    this.units = 0;
    this.samples = 0;
    this.count = 0;
    this.inSum = this.inSumSq = this.outSum = this.outSumSq = 0;
    this.zeros = 0;
    this.saturated = 0;
    this.nonFinite = 0;
    this.alive = null;
  }

  dead(): number {
    if (this.alive === null) return 0;
    let n = 0;
    for (let j = 0; j < this.alive.length; j++) if (this.alive[j] === 0) n++;
    return n;
  }
}

function meanStd(sum: number, sumSq: number, n: number): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const mean = sum / n;
  return [mean, Math.sqrt(Math.max(0, sumSq / n - mean * mean))];
}

/** Hooks on a model's layers; read with `report()`, clear with `reset()`, detach with `remove()`. */
export class Monitor {
  readonly model: Module;
  #handles: RemovableHandle[] = [];
  /** The outputs of each weight layer since the last reset (more than one if a layer is reused). */
  readonly #outputs = new Map<string, Tensor[]>();
  readonly #accumulators = new Map<string, ActivationAccumulator>();
  readonly #options: Required<MonitorOptions>;

  constructor(model: Module, options: MonitorOptions = {}) {
    if (model === null || typeof model !== 'object' || typeof model.namedModules !== 'function') {
      throw new ArgumentError('diagnostics.monitor: the first argument must be an nn.Module');
    }
    const saturation = { ...DEFAULT_SATURATION, ...options.saturation };
    for (const [name, t] of Object.entries(saturation)) {
      if (typeof t !== 'number' || !(t >= 0)) throw new ArgumentError(`diagnostics.monitor: saturation.${name} must be a number ≥ 0, got ${String(t)}`);
    }
    this.model = model;
    this.#options = {
      saturation,
      rectifiers: options.rectifiers ?? DEFAULT_RECTIFIERS,
      outputGradients: options.outputGradients ?? true,
      activations: options.activations ?? true,
    };
    if (this.#options.outputGradients) {
      for (const layer of weightLayers(model)) {
        const outputs: Tensor[] = [];
        this.#outputs.set(layer.name, outputs);
        this.#handles.push(
          layer.module.registerForwardHook((_m, _inputs, output) => {
            if (output.requiresGrad) {
              output.retainGrad();
              outputs.push(output);
            }
          }),
        );
      }
    }
    if (this.#options.activations) {
      for (const [name, layer] of activationLayers(model)) {
        const threshold = Object.hasOwn(saturation, layer.activation) ? saturation[layer.activation] : null;
        const acc = new ActivationAccumulator(this.#options.rectifiers.includes(layer.activation), threshold);
        this.#accumulators.set(name, acc);
        this.#handles.push(layer.registerForwardHook((_m, inputs, output) => acc.add(inputs[0], output)));
      }
    }
  }

  /** Whether the hooks are still attached. */
  get attached(): boolean {
    return this.#handles.length > 0;
  }

  /** Forget what was seen (outputs, statistics); the hooks stay. */
  reset(): void {
    for (const outputs of this.#outputs.values()) outputs.length = 0;
    for (const acc of this.#accumulators.values()) acc.reset();
  }

  /** Take every hook off the model (and forget what was seen). Calling it twice does nothing. */
  remove(): void {
    for (const h of this.#handles) h.remove();
    this.#handles = [];
    this.reset();
  }

  /**
   * What was seen since the last reset: gradient norms from the parameters' `.grad` and the
   * kept outputs' `.grad` (so call it after backward), and the activation statistics.
   */
  report(): MonitorReport {
    const layers: LayerGradNorm[] = weightLayers(this.model).map((layer, i) => {
      const outputs = this.#outputs.get(layer.name);
      let outputGradNorm: number | null = null;
      if (outputs !== undefined && outputs.length > 0) {
        let ss = 0;
        for (const z of outputs) if (z.grad !== null) ss += norm(z.grad) ** 2;
        outputGradNorm = Math.sqrt(ss);
      }
      return {
        name: layer.name,
        index: i + 1,
        weightGradNorm: gradNormOf(layer.weight),
        biasGradNorm: layer.bias === null ? null : gradNormOf(layer.bias),
        outputGradNorm,
      };
    });

    const activations: ActivationReport[] = [];
    let deadUnits = 0;
    let rectifierUnits = 0;
    let saturatedValues = 0;
    let saturatingValues = 0;
    for (const [name, layer] of activationLayers(this.model)) {
      const acc = this.#accumulators.get(name);
      if (acc === undefined) continue; // added after the monitor was made
      const [inputMean, inputStd] = meanStd(acc.inSum, acc.inSumSq, acc.count);
      const [mean, std] = meanStd(acc.outSum, acc.outSumSq, acc.count);
      const seen = acc.samples > 0;
      const broken = acc.nonFinite > 0 ? Number.NaN : 0; // NaN poisons the fractions of a diverged model
      const dead = acc.rectifier && seen ? acc.dead() + broken : null;
      if (dead !== null) {
        deadUnits += dead;
        rectifierUnits += acc.units;
      }
      const saturated = acc.threshold !== null && seen ? acc.saturated + broken : null;
      if (saturated !== null) {
        saturatedValues += saturated;
        saturatingValues += acc.count;
      }
      activations.push({
        name,
        activation: layer.activation,
        rule: ruleName(layer.backward),
        units: acc.units,
        samples: acc.samples,
        inputMean,
        inputStd,
        mean,
        std,
        fractionZero: acc.count === 0 ? Number.NaN : acc.zeros / acc.count,
        deadFraction: dead === null ? null : acc.units === 0 ? 0 : dead / acc.units,
        saturatedFraction: saturated === null ? null : acc.count === 0 ? 0 : saturated / acc.count,
        saturationThreshold: acc.threshold,
      });
    }
    return {
      layers,
      activations,
      firstLastRatio: firstLastRatio(layers),
      deadFraction: rectifierUnits === 0 ? null : deadUnits / rectifierUnits,
      saturatedFraction: saturatingValues === 0 ? null : saturatedValues / saturatingValues,
    };
  }
}

/**
 * Attach a monitor to `model`: forward hooks on its weight layers (to keep their outputs'
 * gradients) and on its activation layers (dead units, saturation, statistics).
 *
 *     const m = diagnostics.monitor(model);
 *     model.forward(x).crossEntropy(labels).backward();
 *     const report = m.report();
 *     m.remove();
 */
export function monitor(model: Module, options: MonitorOptions = {}): Monitor {
  return new Monitor(model, options);
}
