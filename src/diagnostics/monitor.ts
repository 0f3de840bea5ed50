// A monitor attaches forward hooks to a model's layers and reads, after a forward and backward
// pass, what the parameters' gradients alone cannot tell:
//
//   - the gradient reaching each weight layer's output: the hook passes the output on through an
//     identity op whose backward adds ‖g‖² to a running sum (values and gradients are unchanged;
//     the op shows on the tape as 'monitorGradient');
//   - per activation layer: dead units, saturation, and statistics of its input and output,
//     accumulated over every forward call since the last reset (so a reference set can be fed
//     in several batches).
//
// Everything is a running aggregate updated as the model runs: a monitor keeps no tensor, and
// its memory is a few numbers per layer plus one flag per unit of the rectifier and saturating
// layers, however many batches it sees. (So it can stay attached during training.) The flags are
// per unit and per feature shape (all but the batch dimension): a layer called with inputs of two
// shapes — one activation module used at two widths, or sequences of varying length — keeps one
// set of flags for each shape, and its dead fraction counts the units of all of them.
//
// `remove()` takes the hooks off; a model without hooks runs exactly its own code again.
import * as nd from '../nd';
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import { shouldRecord } from '../autograd/tape';
import { defineOp, record } from '../ops/record';
import type { Module, RemovableHandle } from '../nn/module';
import { activationLayers, gradNormOf, ruleName, weightLayers } from './layers';
import { firstLastRatio, type LayerGradNorm } from './norms';

/**
 * |x| above which a value counts as saturated, by activation. Sigmoid 4 and tanh 2 are the same
 * point (tanh(x) = 2σ(2x) − 1): there the derivative is 7.1% of its peak. relu6 saturates upward
 * only: a value x ≥ 6 is saturated (its exact derivative is 0 there); its other flat side, x ≤ 0,
 * is where units die.
 */
export const DEFAULT_SATURATION: Readonly<Record<string, number>> = Object.freeze({ sigmoid: 4, tanh: 2, relu6: 6 });

/** Activations that saturate upward only: x ≥ threshold (not |x| > threshold). */
const SATURATES_UPWARD: readonly string[] = ['relu6'];

/**
 * The activations whose units can die: their exact derivative is 0 (leakyRelu: only `slope`) for
 * x ≤ 0. A relu6 unit stuck at x ≥ 6 gets no gradient either, but it is saturated, not dead: it
 * is counted in `saturatedUnitFraction`.
 */
export const DEFAULT_RECTIFIERS: readonly string[] = Object.freeze(['relu', 'relu6', 'leakyRelu']);

/** Options of `diagnostics.monitor`: thresholds and what to measure. */
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
  /** Standard deviation (population) of the input. */
  inputStd: number;
  /** Mean, standard deviation and fraction of exact zeros of the output. */
  mean: number;
  /** Standard deviation (population) of the output. */
  std: number;
  /** Fraction of output values exactly 0. */
  fractionZero: number;
  /**
   * For a rectifier: the fraction of units whose input was ≤ 0 for every sample seen (dead: the
   * exact rule passes them no gradient; for leakyRelu only `slope` times it). Null otherwise;
   * NaN when an input was NaN or infinite.
   */
  deadFraction: number | null;
  /**
   * For an activation with a saturation threshold: the fraction of all values with |x| > threshold
   * (relu6: x ≥ threshold). Null otherwise; NaN when an input was NaN or infinite.
   */
  saturatedFraction: number | null;
  /**
   * For an activation with a saturation threshold: the fraction of units saturated for every
   * sample seen (stuck: the exact rule passes them little or, for relu6, no gradient). Null
   * otherwise; NaN when an input was NaN or infinite.
   */
  saturatedUnitFraction: number | null;
  /** The threshold used, or null. */
  saturationThreshold: number | null;
}

/** What a monitor measured since its last reset: per-layer gradient norms, activation statistics, dead and saturated fractions. */
export interface MonitorReport {
  /** Gradient norms of every weight layer, input side first (outputGradNorm filled in). */
  layers: LayerGradNorm[];
  /** Statistics of every activation layer. */
  activations: ActivationReport[];
  /** ‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ (see firstLastRatio). */
  firstLastRatio: number;
  /** Dead units over all rectifier units of the model, or null if it has no rectifier layers. */
  deadFraction: number | null;
  /** Saturated values over all values of the saturating layers, or null if there are none. */
  saturatedFraction: number | null;
  /** Per spiking neuron layer (snn.LIF, RLIF, Synaptic): firing rates and silent neurons. */
  spiking: SpikingReport[];
}

/** What a monitor saw of one spiking neuron layer, over every time step since the last reset. */
export interface SpikingReport {
  /** The dotted module name. */
  name: string;
  /** Neurons: the values of one sample at one step (the product of the non-batch dimensions). */
  units: number;
  /** Time steps seen (each step of each forward or step call). */
  steps: number;
  /** Spikes per neuron per step (per sample), averaged over everything seen. */
  firingRate: number;
  /** The fraction of neurons that never fired for any sample at any step seen (silent). */
  silentFraction: number;
}

/** A spiking layer as the monitor sees it: anything with the snn layers' `onSpikes`. */
interface SpikingLayer extends Module {
  readonly isSpikingNeuron: true;
  onSpikes(listener: (spikes: Tensor) => void): RemovableHandle;
}

function spikingLayers(model: Module): [string, SpikingLayer][] {
  return model.namedModules().filter((entry): entry is [string, SpikingLayer] => {
    const m = entry[1] as unknown as Partial<SpikingLayer>;
    return m.isSpikingNeuron === true && typeof m.onSpikes === 'function';
  });
}

/** Running spike counts of one spiking layer, with one "has fired" flag per neuron and feature shape. */
class SpikeAccumulator {
  readonly fired = new Map<string, Uint8Array>();
  steps = 0;
  values = 0;
  spikes = 0;

  add(s: Tensor): void {
    const featureShape = s.shape.slice(1);
    const key = featureShape.join(',');
    const units = nd.sizeOf(featureShape);
    let flags = this.fired.get(key);
    if (flags === undefined) {
      flags = new Uint8Array(units);
      this.fired.set(key, flags);
    }
    const xs = nd.contiguous(s.data).data;
    let total = 0;
    for (let i = 0, j = 0; i < xs.length; i++, j++) {
      if (j === units) j = 0;
      if (xs[i] !== 0) {
        total += xs[i];
        flags[j] = 1;
      }
    }
    this.steps++;
    this.values += xs.length;
    this.spikes += total;
  }

  reset(): void {
    this.fired.clear();
    this.steps = 0;
    this.values = 0;
    this.spikes = 0;
  }
}

/** Per-unit flags for one feature shape of an activation layer's input. */
interface UnitFlags {
  readonly units: number;
  /** 1 where a unit's input was > 0 for some sample (rectifiers only). */
  readonly alive: Uint8Array | null;
  /** 1 where a unit was not saturated for some sample (activations with a threshold only). */
  readonly unsaturated: Uint8Array | null;
}

/** Running sums for one activation layer: O(units) memory, whatever the number of batches. */
class ActivationAccumulator {
  /** Per-unit flags by feature shape (all but the batch dimension), e.g. '64' or '7,32'. */
  readonly flags = new Map<string, UnitFlags>();
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

  constructor(
    readonly name: string,
    readonly activation: string,
    readonly rectifier: boolean,
    readonly threshold: number | null,
    readonly upwardOnly: boolean,
  ) {}

  add(x: Tensor, y: Tensor): void {
    const featureShape = x.shape.slice(1);
    const xs = nd.contiguous(x.data).data;
    const ys = nd.contiguous(y.data).data;
    const samples = x.ndim === 0 ? 1 : x.shape[0];
    const units = nd.sizeOf(featureShape);
    const key = featureShape.join(',');
    let flags = this.flags.get(key);
    if (flags === undefined) {
      flags = {
        units,
        alive: this.rectifier ? new Uint8Array(units) : null,
        unsaturated: this.threshold !== null ? new Uint8Array(units) : null,
      };
      this.flags.set(key, flags);
    }
    this.samples += samples;
    this.count += xs.length;
    const { alive, unsaturated } = flags;
    const t = this.threshold ?? Number.NaN;
    const upwardOnly = this.upwardOnly;
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
      if (unsaturated !== null) {
        if (upwardOnly ? v >= t : Math.abs(v) > t) saturated++;
        else unsaturated[j] = 1;
      }
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

  /** Units over every feature shape seen. */
  get units(): number {
    let n = 0;
    for (const f of this.flags.values()) n += f.units;
    return n;
  }

  /** Units whose `alive` (dead) or `unsaturated` (stuck) flag was never set, over every shape. */
  unset(which: 'alive' | 'unsaturated'): number {
    let n = 0;
    for (const f of this.flags.values()) n += ActivationAccumulator.unset(f[which]);
    return n;
  }

  reset(): void {
    this.flags.clear();
    this.samples = 0;
    this.count = 0;
    this.inSum = this.inSumSq = this.outSum = this.outSumSq = 0;
    this.zeros = 0;
    this.saturated = 0;
    this.nonFinite = 0;
  }

  /** Units whose flag was never set (dead: never positive; stuck: never unsaturated). */
  static unset(flags: Uint8Array | null): number {
    if (flags === null) return 0;
    let n = 0;
    for (let j = 0; j < flags.length; j++) if (flags[j] === 0) n++;
    return n;
  }
}

/**
 * The gradient reaching one weight layer's output, summed in squares over every backward pass
 * since the last reset. `epoch` changes on reset, so a backward through a forward pass made
 * before the reset is not counted.
 */
interface GradientSum {
  outputs: number;
  sumSq: number;
  epoch: number;
}

/**
 * Identity on the forward pass (the output shares the input's storage); its backward adds ‖g‖²
 * to the layer's sum and passes g on unchanged.
 */
const monitorGradientOp = defineOp<{ sum: GradientSum; epoch: number }>('monitorGradient', (g, { sum, epoch }) => {
  if (sum.epoch === epoch) {
    const values = nd.contiguous(g).data;
    let ss = 0;
    for (let i = 0; i < values.length; i++) ss += values[i] * values[i];
    sum.sumSq += ss;
  }
  return [g];
});

function meanStd(sum: number, sumSq: number, n: number): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const mean = sum / n;
  return [mean, Math.sqrt(Math.max(0, sumSq / n - mean * mean))];
}

/** Hooks on a model's layers; read with `report()`, clear with `reset()`, detach with `remove()`. */
export class Monitor {
  /** The model whose layers are monitored. */
  readonly model: Module;
  #handles: RemovableHandle[] = [];
  /** The output gradients of each weight layer since the last reset. */
  readonly #gradients = new Map<string, GradientSum>();
  readonly #accumulators = new Map<string, ActivationAccumulator>();
  readonly #spikeCounts = new Map<string, SpikeAccumulator>();
  readonly #options: Required<MonitorOptions>;

  /** Registers the monitoring hooks on the layers of `model` (prefer `diagnostics.monitor(model)`). */
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
        const sum: GradientSum = { outputs: 0, sumSq: 0, epoch: 0 };
        this.#gradients.set(layer.name, sum);
        this.#handles.push(
          layer.module.registerForwardHook((_m, _inputs, output) => {
            if (!shouldRecord([output])) return undefined; // no backward will reach it: nothing to count
            sum.outputs++;
            return record(monitorGradientOp, [output], output.data, { sum, epoch: sum.epoch });
          }),
        );
      }
    }
    if (this.#options.activations) {
      for (const [name, layer] of activationLayers(model)) {
        const threshold = Object.hasOwn(saturation, layer.activation) ? saturation[layer.activation] : null;
        const acc = new ActivationAccumulator(
          name,
          layer.activation,
          this.#options.rectifiers.includes(layer.activation),
          threshold,
          SATURATES_UPWARD.includes(layer.activation),
        );
        this.#accumulators.set(name, acc);
        this.#handles.push(layer.registerForwardHook((_m, inputs, output) => acc.add(inputs[0], output)));
      }
      for (const [name, layer] of spikingLayers(model)) {
        const counts = new SpikeAccumulator();
        this.#spikeCounts.set(name, counts);
        this.#handles.push(layer.onSpikes((spikes) => counts.add(spikes)));
      }
    }
  }

  /** Whether the hooks are still attached. */
  get attached(): boolean {
    return this.#handles.length > 0;
  }

  /** Forget what was seen (output gradients, statistics); the hooks stay. */
  reset(): void {
    for (const sum of this.#gradients.values()) {
      sum.outputs = 0;
      sum.sumSq = 0;
      sum.epoch++;
    }
    for (const acc of this.#accumulators.values()) acc.reset();
    for (const counts of this.#spikeCounts.values()) counts.reset();
  }

  /**
   * What the monitor holds: tensors (none: it keeps running sums, not outputs) and typed arrays
   * (the per-unit flags) with their total length. Constant while the model runs, however long.
   */
  retainedSize(): { tensors: number; arrays: number; elements: number } {
    let arrays = 0;
    let elements = 0;
    for (const acc of this.#accumulators.values()) {
      for (const unitFlags of acc.flags.values()) {
        for (const flags of [unitFlags.alive, unitFlags.unsaturated]) {
          if (flags === null) continue;
          arrays++;
          elements += flags.length;
        }
      }
    }
    for (const counts of this.#spikeCounts.values()) {
      for (const flags of counts.fired.values()) {
        arrays++;
        elements += flags.length;
      }
    }
    return { tensors: 0, arrays, elements };
  }

  /** Take every hook off the model (and forget what was seen). Calling it twice does nothing. */
  remove(): void {
    for (const h of this.#handles) h.remove();
    this.#handles = [];
    this.reset();
  }

  /**
   * What was seen since the last reset: gradient norms from the parameters' `.grad` and the sums
   * of the output gradients (so call it after backward), and the activation statistics.
   */
  report(): MonitorReport {
    const layers: LayerGradNorm[] = weightLayers(this.model).map((layer, i) => {
      const sum = this.#gradients.get(layer.name);
      const outputGradNorm = sum !== undefined && sum.outputs > 0 ? Math.sqrt(sum.sumSq) : null;
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
      const dead = acc.rectifier && seen ? acc.unset('alive') + broken : null;
      if (dead !== null) {
        deadUnits += dead;
        rectifierUnits += acc.units;
      }
      const saturated = acc.threshold !== null && seen ? acc.saturated + broken : null;
      const stuck = acc.threshold !== null && seen ? acc.unset('unsaturated') + broken : null;
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
        saturatedUnitFraction: stuck === null ? null : acc.units === 0 ? 0 : stuck / acc.units,
        saturationThreshold: acc.threshold,
      });
    }
    const spiking: SpikingReport[] = [];
    for (const [name, counts] of this.#spikeCounts) {
      let units = 0;
      let silent = 0;
      for (const flags of counts.fired.values()) {
        units += flags.length;
        for (let j = 0; j < flags.length; j++) if (flags[j] === 0) silent++;
      }
      spiking.push({
        name,
        units,
        steps: counts.steps,
        firingRate: counts.values === 0 ? Number.NaN : counts.spikes / counts.values,
        silentFraction: units === 0 ? Number.NaN : silent / units,
      });
    }
    return {
      spiking,
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
