// Every error surrograd raises is one of these, so callers can tell them apart with
// `instanceof`. Messages name the op, the shapes or values involved, and what to do.

/** The base class of every error surrograd throws; catch it to catch them all. */
export class SurrogradError extends Error {
  /** Creates the error with `message`; `name` is set to the class name. */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the op (broadcasting, matmul inner dimensions, reshape sizes...). */
export class ShapeError extends SurrogradError {}

/** An argument with a bad value or type (unknown dtype, negative learning rate, bad axis...). */
export class ArgumentError extends SurrogradError {}

/** Misuse of the autograd graph (backward twice, non-scalar output without a gradient...). */
export class GraphError extends SurrogradError {}

/** An unknown or invalid backward rule. */
export class RuleError extends SurrogradError {}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
