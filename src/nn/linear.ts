// Linear: y = x·Wᵀ + b, with W stored [out, in] as in PyTorch and PyTorch's default
// initialisation (kaimingUniform with a = √5, i.e. U(−1/√in, 1/√in), for W and for b).
import { ShapeError, ArgumentError, formatShape } from '../errors';
import type { Dtype } from '../nd';
import { type Tensor } from '../tensor';
import { zeros } from '../creation';
import { linear } from '../ops';
import type { Generator } from '../random';
import { Module, Parameter } from './module';
import * as init from './init';

/** Options of `nn.Linear`: bias, dtype, generator of the initial weights. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** float32 (default) or float64. */
  dtype?: Dtype;
  /** The random source of the initial weights (default: the default generator). */
  generator?: Generator;
}

/** A fully connected layer, y = x·Wᵀ + b, with the weight in PyTorch's [out, in] layout. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [outFeatures, inFeatures] */
  weight: Parameter;
  /** [outFeatures], or null without bias. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, value] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new ArgumentError(`Linear: ${name} must be a non-negative integer, got ${String(value)}`);
      }
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
    this.resetParameters(options.generator);
  }

  /** Re-draw the weights and bias with PyTorch's default initialisation. */
  resetParameters(generator?: Generator): void {
    init.kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      init.uniform(this.bias, -bound, bound, { generator });
    }
  }

  /** x of shape [..., inFeatures] → [..., outFeatures]. */
  override forward(x: Tensor): Tensor {
    const last = x.shape[x.ndim - 1];
    if (x.ndim === 0 || last !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures} → ${this.outFeatures}): expected an input whose last dimension is ${this.inFeatures}, ` +
          `got shape ${formatShape(x.shape)}`,
      );
    }
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
