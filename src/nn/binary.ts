// Quantized layers: BinaryLinear (weights binarized with sign in the forward pass, real-valued
// latent weights updated by the optimizer, as BinaryConnect / BinaryNet, optionally scaled per
// output channel as XNOR-Net) and QuantizedActivation (k-bit activation quantization with a
// training rule by default). The binarization is the `sign` activation with a backward rule:
// no second mechanism.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { validator } from '../validate';
import type { Dtype } from '../nd';
import type { Tensor } from '../tensor';
import { zeros } from '../creation';
import { abs, linear, mean, mul } from '../ops';
import { quantize, sign } from '../activations';
import { getEntry, resolveChoice } from '../activations/registry';
import type { RuleChoice } from '../activations/rule';
import type { Generator } from '../random';
import { Module, Parameter } from './module';
import { Conv2d, type ConvLayerOptions } from './conv';
import { conv2d } from '../ops/conv';
import * as init from './init';
import { type RuleHost, ruleParameterEntries, syncRuleChild } from './rule-host';
import { stepOf, withLayerContext } from '../activations/context';

/** Options of `BinaryLinear`: bias, the weight rule (a sign rule) and XNOR-Net per-output scaling. */
export interface BinaryLinearOptions {
  /** Learn an additive (real-valued) bias (default true). */
  bias?: boolean;
  /**
   * The backward rule of sign for the weights: 'clippedStraightThrough' (default: the gradient
   * passes where |w| ≤ 1, BinaryNet), 'straightThrough', 'approxSign' (Bi-Real Net), 'exact'
   * (zero: the weights never learn), or any rule object.
   */
  weightBackward?: RuleChoice;
  /**
   * Scale each output channel's binary weights by α_o = mean_i |W[o, i]| (XNOR-Net); the
   * gradient flows through α too (default false).
   */
  scale?: boolean;
  /** float32 (default) or float64. */
  dtype?: Dtype;
  /** The random source of the initial latent weights (default: the default generator). */
  generator?: Generator;
}

/**
 * y = x·sign(W)ᵀ + b (or x·(α ⊙ sign(W))ᵀ + b with `scale`), W [out, in] real-valued latent
 * weights. sign(0) is 0, as PyTorch's sign.
 */
export class BinaryLinear extends Module implements RuleHost {
  /** The size of each input row. */
  readonly inFeatures: number;
  /** The size of each output row. */
  readonly outFeatures: number;
  /** The latent real-valued weights [outFeatures, inFeatures]. */
  weight: Parameter;
  /** The real-valued bias [outFeatures], or null without bias. */
  bias: Parameter | null;
  /** The backward rule of sign for the weights. */
  readonly weightBackward: RuleChoice;
  /** Whether each output row is scaled by α_o = mean |W[o]| (XNOR-Net). */
  readonly scale: boolean;

  /** Creates a binarized linear layer from `inFeatures` to `outFeatures`, with latent real weights. */
  constructor(inFeatures: number, outFeatures: number, options: BinaryLinearOptions = {}) {
    super();
    for (const [name, value] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new ArgumentError(`BinaryLinear: ${name} must be a positive integer, got ${String(value)}`);
    }
    validator('BinaryLinear').options(options, ['bias', 'weightBackward', 'scale', 'dtype', 'generator']);
    const weightBackward = options.weightBackward ?? 'clippedStraightThrough';
    resolveChoice(getEntry('sign', 'BinaryLinear'), weightBackward, 'BinaryLinear({ weightBackward })');
    ruleParameterEntries(weightBackward, 'BinaryLinear({ weightBackward })');
    if (options.scale !== undefined && typeof options.scale !== 'boolean') throw new ArgumentError(`BinaryLinear: scale must be true or false, got ${String(options.scale)}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weightBackward = weightBackward;
    this.scale = options.scale ?? false;
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
    init.kaimingUniform(this.weight, { a: Math.sqrt(5), generator: options.generator });
    if (this.bias !== null) {
      const bound = 1 / Math.sqrt(inFeatures);
      init.uniform(this.bias, -bound, bound, { generator: options.generator });
    }
    // the weight rule's learnable parameters, as the child `weightRule` (`<layer>.weightRule.alpha`)
    syncRuleChild(this, 'weightRule', weightBackward, 'BinaryLinear({ weightBackward })');
  }

  /** The layer's rule choice, for RuleSchedule (its learnable parameters are the child `weightRule`). */
  ruleChoices(): [string, RuleChoice | undefined][] {
    return [['weightRule', this.weightBackward]];
  }

  /** The weights the forward pass uses: sign(W), times α per output channel with `scale`. */
  binaryWeight(): Tensor {
    const b = withLayerContext(this.training, stepOf(this), () => sign(this.weight, { backward: this.weightBackward }));
    return this.scale ? mul(b, mean(abs(this.weight), 1, true)) : b;
  }

  /** x [..., inFeatures] → [..., outFeatures]. */
  override forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`BinaryLinear(${this.inFeatures} → ${this.outFeatures}): expected an input whose last dimension is ${this.inFeatures}, got shape ${formatShape(x.shape)}`);
    }
    return linear(x, this.binaryWeight(), this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}, scale=${this.scale}`;
  }
}

export interface BinaryConv2dOptions extends ConvLayerOptions {
  /** The backward rule of sign for the weights (default 'clippedStraightThrough'; see BinaryLinear). */
  weightBackward?: RuleChoice;
  /** Scale each output channel's binary kernel by α_o = mean |W[o]| (XNOR-Net; default false). */
  scale?: boolean;
}

/**
 * A Conv2d whose forward uses sign(W) (times α_o per output channel with `scale`) over real
 * latent weights W [out, in / groups, kH, kW]; everything else is Conv2d's.
 */
export class BinaryConv2d extends Conv2d implements RuleHost {
  /** The backward rule of sign for the weights. */
  readonly weightBackward: RuleChoice;
  /** Whether each output channel is scaled by α_o = mean |W[o]| (XNOR-Net). */
  readonly scale: boolean;

  /** Creates a binarized 2-D convolution, with latent real weights. */
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: BinaryConv2dOptions = {}) {
    const { weightBackward = 'clippedStraightThrough', scale = false, ...conv } = options;
    resolveChoice(getEntry('sign', 'BinaryConv2d'), weightBackward, 'BinaryConv2d({ weightBackward })');
    ruleParameterEntries(weightBackward, 'BinaryConv2d({ weightBackward })');
    if (typeof scale !== 'boolean') throw new ArgumentError(`BinaryConv2d: scale must be true or false, got ${String(scale)}`);
    super(inChannels, outChannels, kernelSize, conv);
    this.weightBackward = weightBackward;
    this.scale = scale;
    // the weight rule's learnable parameters, as the child `weightRule` (`<layer>.weightRule.alpha`)
    syncRuleChild(this, 'weightRule', weightBackward, 'BinaryConv2d({ weightBackward })');
  }

  /** The layer's rule choice, for RuleSchedule (its learnable parameters are the child `weightRule`). */
  ruleChoices(): [string, RuleChoice | undefined][] {
    return [['weightRule', this.weightBackward]];
  }

  /** The kernels the forward pass uses: sign(W), times α per output channel with `scale`. */
  binaryWeight(): Tensor {
    const b = withLayerContext(this.training, stepOf(this), () => sign(this.weight, { backward: this.weightBackward }));
    return this.scale ? mul(b, mean(abs(this.weight), [1, 2, 3], true)) : b;
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`BinaryConv2d(${this.inChannels} → ${this.outChannels}): expected an input [N, ${this.inChannels}, H, W], got ${formatShape(x.shape)}`);
    }
    return conv2d(x, this.binaryWeight(), this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

/** Options of `QuantizedActivation`: bits, range and the backward rule. */
export interface QuantizedActivationOptions {
  /** Levels 2^bits, an integer in [1, 32] (default 2). */
  bits?: number;
  /** The range `[lo, hi]`: values are clamped to it and rounded to the nearest level (default [0, 1], DoReFa). */
  range?: readonly [number, number];
  /** The backward rule of quantize: 'clippedStraightThrough' (default: 1 inside the range), 'straightThrough', 'exact' or a rule. */
  backward?: RuleChoice;
}

/**
 * k-bit activation quantization as a layer: `quantize(x, { bits, range })` with a training rule
 * by default (clipped straight-through, the QAT fake-quant rule), so a k-bit network is
 * `Linear → QuantizedActivation({ bits: 2 }) → ...`. (nn.Quantize is the same op with the
 * library's usual 'exact' default.)
 */
export class QuantizedActivation extends Module implements RuleHost {
  /** The number of bits: 2^bits levels. */
  readonly bits: number;
  /** The range `[lo, hi]` values are clamped to and quantized over. */
  readonly range: readonly [number, number];
  /** The backward rule of quantize. */
  readonly backward: RuleChoice;

  /** Creates the layer (defaults: 2 bits over [0, 1], the clippedStraightThrough rule). */
  constructor(options: QuantizedActivationOptions = {}) {
    super();
    validator('QuantizedActivation').options(options, ['bits', 'range', 'backward']);
    this.bits = options.bits ?? 2;
    this.range = options.range ?? [0, 1];
    this.backward = options.backward ?? 'clippedStraightThrough';
    resolveChoice(getEntry('quantize', 'QuantizedActivation'), this.backward, 'QuantizedActivation({ backward })');
    if (!Number.isInteger(this.bits) || this.bits < 1 || this.bits > 32) {
      throw new ArgumentError(`QuantizedActivation: bits must be an integer from 1 to 32, got ${String(this.bits)}`);
    }
    const r = this.range;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(r[0] < r[1])) {
      throw new ArgumentError(`QuantizedActivation: range must be [lo, hi] with finite lo < hi, got ${JSON.stringify(r)}`);
    }
    // the rule's learnable parameters, as the child `rule` (`<layer>.rule.alpha`)
    syncRuleChild(this, 'rule', this.backward, 'QuantizedActivation({ backward })');
  }

  /** The layer's rule choice, for RuleSchedule (its learnable parameters are the child `rule`). */
  ruleChoices(): [string, RuleChoice | undefined][] {
    return [['rule', this.backward]];
  }

  override forward(x: Tensor): Tensor {
    return withLayerContext(this.training, stepOf(this), () => quantize(x, { bits: this.bits, range: this.range, backward: this.backward }));
  }

  protected override extraRepr(): string {
    return `bits=${this.bits}, range=[${this.range}]`;
  }
}
