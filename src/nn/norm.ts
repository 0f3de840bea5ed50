// BatchNorm1d and LayerNorm, written with differentiable ops so their gradients come from the
// tape. Both normalise with the biased variance (divide by n), as PyTorch does; BatchNorm's
// running variance is updated with the unbiased one (divide by n − 1), also as PyTorch.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import * as nd from '../nd';
import { Tensor } from '../tensor';
import { ones, zeros, full } from '../creation';
import { add, div, mean, mul, reshape, sqrt, square, sub } from '../ops';
import { noGrad } from '../autograd/tape';
import { validator } from '../validate';
import { Module, Parameter } from './module';

/** Options of `nn.BatchNorm1d`. */
export interface BatchNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /**
   * The weight of a new batch in the running statistics (default 0.1):
   * running ← (1 − momentum)·running + momentum·batch. null: a cumulative average.
   */
  momentum?: number | null;
  /** Learn a scale and shift per feature (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
  /** float32 (default) or float64. */
  dtype?: nd.Dtype;
}

/**
 * Batch normalisation over [N, C] or [N, C, L] inputs, per feature C: statistics over the batch
 * (and length) axes in training, the running statistics in evaluation.
 */
export class BatchNorm1d extends Module {
  /** The number of channels C. */
  readonly numFeatures: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** The running-statistics update factor; null for a cumulative average. */
  readonly momentum: number | null;
  /** Whether the layer has the learnable γ and β. */
  readonly affine: boolean;
  /** Whether running statistics are kept (and used in evaluation mode). */
  readonly trackRunningStats: boolean;
  /** γ, [C] (ones), or null without affine. */
  weight: Parameter | null;
  /** β, [C] (zeros), or null without affine. */
  bias: Parameter | null;
  /** The running mean [C] (a buffer), or null without trackRunningStats. */
  declare runningMean: Tensor | null;
  /** The running variance [C] (a buffer), or null without trackRunningStats. */
  declare runningVar: Tensor | null;
  /** How many training batches have updated the running statistics. */
  declare numBatchesTracked: Tensor | null;

  /** Creates the layer over `numFeatures` channels (default eps 1e-5, momentum 0.1, affine, running stats). */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    // 1. validate
    const v = validator(new.target.name);
    v.integer('numFeatures', numFeatures, { min: 1 });
    const o = v.options(options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype'], { example: '{ momentum: 0.1 }', nullable: ['momentum'] });
    const eps = v.number('eps', o.eps ?? 1e-5, { min: 0 });
    const momentum = o.momentum === null ? null : v.number('momentum', o.momentum ?? 0.1, { min: 0, max: 1 });
    const affine = v.boolean('affine', o.affine ?? true);
    const trackRunningStats = v.boolean('trackRunningStats', o.trackRunningStats ?? true);
    const dtype = v.oneOf('dtype', o.dtype ?? 'float32', nd.DTYPES);
    // 2. mutate
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    const track = this.trackRunningStats;
    this.registerBuffer('runningMean', track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('runningVar', track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('numBatchesTracked', track ? full([], 0, { dtype: 'float64' }) : null);
  }

  /** Running statistics back to mean 0, variance 1, no batches. */
  resetRunningStats(): void {
    this.runningMean?.data.data.fill(0);
    this.runningVar?.data.data.fill(1);
    this.numBatchesTracked?.data.data.fill(0);
  }

  override forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== C) {
      throw new ShapeError(`BatchNorm1d(${C}): expected an input of shape [N, ${C}] or [N, ${C}, L], got ${formatShape(x.shape)}`);
    }
    const axes = x.ndim === 2 ? [0] : [0, 2];
    const featureShape = x.ndim === 2 ? [C] : [C, 1];
    return this.normalise(x, axes, featureShape);
  }

  /** Normalises x over `axes` (all but the channel axis), with per-channel statistics shaped `featureShape`. */
  protected normalise(x: Tensor, axes: number[], featureShape: number[]): Tensor {
    const C = this.numFeatures;
    let normalised: Tensor;
    const useBatchStats = this.training || this.runningMean === null || this.runningVar === null;
    if (useBatchStats) {
      const n = x.size / C;
      if (this.training && n <= 1) {
        throw new ArgumentError(
          `${this.constructor.name}(${C}): training needs more than one value per feature to estimate a variance, got input of shape ` +
            `${formatShape(x.shape)}; use a larger batch or eval()`,
        );
      }
      const mu = mean(x, axes, true);
      const centred = sub(x, mu);
      const variance = mean(square(centred), axes, true); // biased: divides by n
      normalised = div(centred, sqrt(add(variance, this.eps)));
      if (this.training) this.updateRunningStats(mu, variance, n);
    } else {
      const rm = reshape(this.runningMean as Tensor, featureShape);
      const rv = reshape(this.runningVar as Tensor, featureShape);
      normalised = div(sub(x, rm), sqrt(add(rv, this.eps)));
    }
    if (this.weight === null || this.bias === null) return normalised;
    return add(mul(normalised, reshape(this.weight, featureShape)), reshape(this.bias, featureShape));
  }

  private updateRunningStats(batchMean: Tensor, batchVar: Tensor, n: number): void {
    const rm = this.runningMean;
    const rv = this.runningVar;
    const count = this.numBatchesTracked;
    if (rm === null || rv === null || count === null) return;
    noGrad(() => {
      count.data.data[0] += 1;
      const factor = this.momentum ?? 1 / count.data.data[0];
      const m = nd.contiguous(batchMean.data).data;
      const v = nd.contiguous(batchVar.data).data;
      const unbiased = n / (n - 1);
      const rmv = rm.data.data;
      const rvv = rv.data.data;
      for (let c = 0; c < rmv.length; c++) {
        rmv[c] = (1 - factor) * rmv[c] + factor * m[c];
        rvv[c] = (1 - factor) * rvv[c] + factor * v[c] * unbiased;
      }
    });
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Options of `nn.LayerNorm`. */
export interface LayerNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn a scale (and bias) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, also learn the bias (default true). */
  bias?: boolean;
  /** float32 (default) or float64. */
  dtype?: nd.Dtype;
}

/** Layer normalisation over the trailing dimensions `normalizedShape` of each sample. */
export class LayerNorm extends Module {
  /** The trailing shape normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** γ over normalizedShape (ones), or null without elementwiseAffine. */
  weight: Parameter | null;
  /** β over normalizedShape (zeros), or null without elementwiseAffine or bias. */
  bias: Parameter | null;

  /** Creates the layer normalising over the trailing `normalizedShape` axes. */
  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    // 1. validate
    const v = validator('LayerNorm');
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw v.invalid('normalizedShape', normalizedShape, 'a positive integer or a non-empty list of them');
    }
    const o = v.options(options, ['eps', 'elementwiseAffine', 'bias', 'dtype'], { example: '{ eps: 1e-5 }' });
    const eps = v.number('eps', o.eps ?? 1e-5, { min: 0 });
    const affine = v.boolean('elementwiseAffine', o.elementwiseAffine ?? true);
    const bias = v.boolean('bias', o.bias ?? true);
    const dtype = v.oneOf('dtype', o.dtype ?? 'float32', nd.DTYPES);
    // 2. mutate
    this.normalizedShape = Object.freeze([...shape]);
    this.eps = eps;
    this.weight = affine ? new Parameter(ones(shape, { dtype })) : null;
    this.bias = affine && bias ? new Parameter(zeros(shape, { dtype })) : null;
  }

  override forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.ndim - k);
    if (x.ndim < k || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(
        `LayerNorm(${formatShape(this.normalizedShape)}): expected an input ending in ${formatShape(this.normalizedShape)}, got ${formatShape(x.shape)}`,
      );
    }
    const axes = this.normalizedShape.map((_, i) => x.ndim - k + i);
    const mu = mean(x, axes, true);
    const centred = sub(x, mu);
    const variance = mean(square(centred), axes, true);
    let y = div(centred, sqrt(add(variance, this.eps)));
    if (this.weight !== null) y = mul(y, this.weight);
    if (this.bias !== null) y = add(y, this.bias);
    return y;
  }

  protected override extraRepr(): string {
    return `${formatShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/**
 * Batch normalisation over [N, C, H, W] inputs, per channel C: statistics over the batch and
 * both spatial axes in training, the running statistics in evaluation (as PyTorch's BatchNorm2d;
 * same options and state dict entries as BatchNorm1d).
 */
export class BatchNorm2d extends BatchNorm1d {
  override forward(x: Tensor): Tensor {
    const C = this.numFeatures;
    if (x.ndim !== 4 || x.shape[1] !== C) {
      throw new ShapeError(`BatchNorm2d(${C}): expected an input of shape [N, ${C}, H, W], got ${formatShape(x.shape)}`);
    }
    return this.normalise(x, [0, 2, 3], [C, 1, 1]);
  }
}

/** Options of `nn.GroupNorm`. */
export interface GroupNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale (ones) and shift (zeros) (default true). */
  affine?: boolean;
  /** float32 (default) or float64. */
  dtype?: nd.Dtype;
}

/**
 * Group normalisation (Wu & He, 2018) of [N, C, ...] inputs: the C channels are split into
 * `numGroups` groups and each sample's group is normalised over its channels and spatial
 * positions (biased variance), then scaled and shifted per channel. No running statistics: the
 * same in training and evaluation.
 */
export class GroupNorm extends Module {
  /** The number of groups the channels are split into. */
  readonly numGroups: number;
  /** The number of channels C. */
  readonly numChannels: number;
  /** Added to the variance for numerical stability. */
  readonly eps: number;
  /** Whether the layer has a learnable per-channel weight and bias. */
  readonly affine: boolean;
  /** γ, [C] (ones), or null without affine. */
  weight: Parameter | null;
  /** β, [C] (zeros), or null without affine. */
  bias: Parameter | null;

  /** Creates the layer normalising `numChannels` channels in `numGroups` groups. */
  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    for (const [name, v] of [['numGroups', numGroups], ['numChannels', numChannels]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`GroupNorm: ${name} must be a positive integer, got ${String(v)}`);
    }
    if (numChannels % numGroups !== 0) {
      throw new ArgumentError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps >= 0)) throw new ArgumentError(`GroupNorm: eps must be ≥ 0, got ${String(eps)}`);
    const dtype = options.dtype ?? 'float32';
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.affine = options.affine ?? true;
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  override forward(x: Tensor): Tensor {
    const C = this.numChannels;
    if (x.ndim < 2 || x.shape[1] !== C) {
      throw new ShapeError(`GroupNorm(${this.numGroups}, ${C}): expected an input of shape [N, ${C}, ...], got ${formatShape(x.shape)}`);
    }
    const n = x.shape[0];
    const grouped = reshape(x, [n, this.numGroups, -1]);
    const mu = mean(grouped, 2, true);
    const centred = sub(grouped, mu);
    const variance = mean(square(centred), 2, true);
    const y = reshape(div(centred, sqrt(add(variance, this.eps))), x.shape);
    if (this.weight === null || this.bias === null) return y;
    const channelShape = [C, ...new Array<number>(x.ndim - 2).fill(1)];
    return add(mul(y, reshape(this.weight, channelShape)), reshape(this.bias, channelShape));
  }

  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}
