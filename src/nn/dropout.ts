// Dropout: in training, zero each element with probability p and scale the rest by 1/(1 − p)
// (so the expected value is unchanged); in evaluation, the identity.
import * as nd from '../nd';
import { Tensor } from '../tensor';
import { mul } from '../ops';
import { Generator, getDefaultGenerator } from '../random';
import { validator } from '../validate';
import { Module } from './module';

export interface DropoutOptions {
  /** The random source of the masks (default: the default generator, read at each call). */
  generator?: Generator;
}

export class Dropout extends Module {
  readonly p: number;
  /** The generator given at construction, if any. */
  readonly generator: Generator | null;

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
