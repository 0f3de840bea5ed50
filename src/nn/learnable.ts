// Learnable rule parameters: `rules.atan({ alpha: nn.learnable(2) })`. See
// src/activations/learnable.ts for how a rule reads them and what gradient they receive.
import * as nd from '../nd';
import { RuleError } from '../errors';
import { Tensor } from '../tensor';
import { Parameter } from './module';
import { type Constraint, type ConstrainedTensor, checkConstraint, constrain, unconstrain } from '../activations/learnable';

// ---------------------------------------------------------------------------------------------
// The learnable parameter
// ---------------------------------------------------------------------------------------------

/**
 * A rule parameter that learns: a one-element float64 `Parameter` holding ρ, read by rules as
 * θ = c(ρ) (`value`). Collected by `module.parameters()` when its rule is set on a layer (an
 * activation layer, spiking neuron, binary or quantized layer: as `<layer>.rule.<name>`, or
 * `<layer>.weightRule.<name>` for a binary layer's weight rule), updated by any optimizer, saved by
 * checkpoints.
 */
export class RuleParameter extends Parameter implements ConstrainedTensor {
  /** How the stored value ρ maps to θ (for example 'positive'). */
  readonly constraint: Constraint;
  /** Kept float64 by `module.to()`: ∂S/∂θ sums many small terms. */
  readonly fixedDtype = true;

  /** Creates a float64 scalar parameter whose constrained value θ starts at `value`. */
  constructor(value: number, constraint: Constraint = 'positive') {
    const c = checkConstraint(constraint, 'learnable');
    const rho = unconstrain(c, value, `learnable(${String(value)}, ${JSON.stringify(c)})`);
    const data = nd.alloc('float64', 1);
    data[0] = rho;
    super(new Tensor(nd.wrap(data, [])));
    this.constraint = c;
  }

  /** θ = c(ρ): the value rules read. */
  get value(): number {
    return constrain(this.constraint, this.item());
  }
}

/**
 * A learnable rule parameter starting at `value`: `rules.atan({ alpha: learnable(2) })`. The
 * constraint (default 'positive', what most surrogate widths and slopes need) is a
 * reparameterisation; see the header of this file.
 */
export function learnable(value: number, options: { constraint?: Constraint } = {}): RuleParameter {
  if (options === null || typeof options !== 'object') throw new RuleError('learnable: options must be an object such as { constraint: "positive" }');
  for (const key of Object.keys(options)) if (key !== 'constraint') throw new RuleError(`learnable: unknown option '${key}'; the options are: constraint`);
  return new RuleParameter(value, options.constraint ?? 'positive');
}

