// Dropout: in training, zero each element with probability p and scale the rest by 1/(1 − p)
// (so the expected value is unchanged); in evaluation, the identity.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import * as nd from '../nd';
import { Tensor } from '../tensor';
import { mul } from '../ops';
import { Generator, getDefaultGenerator } from '../random';
import { validator } from '../validate';
import { Module } from './module';

/** Options of `nn.Dropout`: the seeded generator of the masks. */
export interface DropoutOptions {
  /** The random source of the masks (default: the default generator, read at each call). */
  generator?: Generator;
}

/** Dropout: in training mode, zeroes each value with probability p and scales the rest by 1/(1−p); the identity in eval mode. */
export class Dropout extends Module {
  /** The probability of zeroing each element in training. */
  readonly p: number;
  /** The generator given at construction, if any. */
  readonly generator: Generator | null;

  /** Creates the layer with drop probability `p` (default 0.5). */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    // 1. validate
    const v = validator('Dropout');
    v.number('p', p, { min: 0, max: 1 });
    const o = v.options(options, ['generator'], { example: '{ generator: new Generator(0) }' });
    const generator = o.generator === undefined ? null : v.instance('generator', o.generator, Generator, 'a Generator (new Generator(seed))');
    // 2. mutate
    this.p = p;
    this.generator = generator;
  }

  override forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const gen = this.generator ?? getDefaultGenerator();
    const mask = nd.zeros(x.shape, x.dtype);
    const m = mask.data;
    if (this.p < 1) {
      const keep = 1 / (1 - this.p);
      for (let i = 0; i < m.length; i++) m[i] = gen.uniform() < this.p ? 0 : keep;
    }
    return mul(x, new Tensor(mask));
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/**
 * Channel dropout for [N, C, H, W] inputs (a 3-D input is read as [N, C, L], as PyTorch does): in training,
 * zero each whole channel with probability p and scale the kept ones by 1/(1 − p); in
 * evaluation, the identity (as PyTorch's Dropout2d).
 */
export class Dropout2d extends Module {
  /** The probability of zeroing each whole channel in training. */
  readonly p: number;
  /** The generator given at construction, if any. */
  readonly generator: Generator | null;

  /** Creates the layer with channel drop probability `p` (default 0.5). */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ArgumentError(`Dropout2d: p must be a probability in [0, 1], got ${String(p)}`);
    }
    this.p = p;
    this.generator = options.generator ?? null;
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim < 3 || x.ndim > 4) {
      throw new ShapeError(`Dropout2d: expected an input [N, C, H, W] or [N, C, L], got ${formatShape(x.shape)}`);
    }
    if (!this.training || this.p === 0) return x;
    const gen = this.generator ?? getDefaultGenerator();
    // one mask value per channel (and sample), broadcast over the spatial axes
    const maskShape = x.ndim === 4 ? [x.shape[0], x.shape[1], 1, 1] : [x.shape[0], x.shape[1], 1];
    const mask = nd.zeros(maskShape, x.dtype);
    const m = mask.data;
    if (this.p < 1) {
      const keep = 1 / (1 - this.p);
      for (let i = 0; i < m.length; i++) m[i] = gen.uniform() < this.p ? 0 : keep;
    }
    return mul(x, new Tensor(mask));
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
