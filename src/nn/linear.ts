// Linear: y = x·Wᵀ + b, with W stored [out, in] as in PyTorch and PyTorch's default
// initialisation (kaimingUniform with a = √5, i.e. U(−1/√in, 1/√in), for W and for b).
import { ShapeError, formatShape } from '../errors';
import { DTYPES, type Dtype } from '../nd';
import { validator } from '../validate';
import { type Tensor } from '../tensor';
import { zeros } from '../creation';
import { linear } from '../ops';
import { Generator } from '../random';
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
  /** The size of each input row. */
  readonly inFeatures: number;
  /** The size of each output row. */
  readonly outFeatures: number;
  /** [outFeatures, inFeatures] */
  weight: Parameter;
  /** [outFeatures], or null without bias. */
  bias: Parameter | null;

  /** Creates a layer from `inFeatures` to `outFeatures`, initialised as PyTorch (uniform ±1/√inFeatures). */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    // 1. validate
    const v = validator('Linear');
    v.integer('inFeatures', inFeatures, { min: 0 });
    v.integer('outFeatures', outFeatures, { min: 0 });
    const o = v.options(options, ['bias', 'dtype', 'generator'], { example: '{ bias: false }' });
    const bias = v.boolean('bias', o.bias ?? true);
    const dtype = v.oneOf('dtype', o.dtype ?? 'float32', DTYPES);
    const generator = o.generator === undefined ? undefined : v.instance('generator', o.generator, Generator, 'a Generator (new Generator(seed))');
    // 2. mutate
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters(generator);
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
