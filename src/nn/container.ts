// Containers and shape layers: Sequential, ModuleList, Residual, Identity, Flatten.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { describeValue, validator } from '../validate';
import type { Tensor } from '../tensor';
import { flatten, reshape } from '../ops';
import { Module } from './module';

/** Modules applied one after another; children are named '0', '1', ... as in PyTorch. */
export class Sequential extends Module {
  #length = 0;

  /** Creates the container holding `modules`, registered as children '0', '1', ... */
  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Add a module at the end; returns this. */
  append(module: Module): this {
    if (!(module instanceof Module)) {
      throw new ArgumentError(`Sequential: entry ${this.#length} is not a Module (got ${module === null ? 'null' : typeof module})`);
    }
    this.registerModule(String(this.#length), module);
    this.#length++;
    return this;
  }

  /** The number of modules held. */
  get length(): number {
    return this.#length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const i = index < 0 ? index + this.#length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) {
      throw new ArgumentError(`Sequential.at: index ${index} is out of range for ${this.#length} modules`);
    }
    return this.children()[i];
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  override forward(x: Tensor): Tensor {
    let out = x;
    for (const m of this.children()) out = m.forward(out);
    return out;
  }
}

/** A list of modules, registered as children '0', '1', ... but with no forward of its own. */
export class ModuleList extends Module {
  #length = 0;

  /** Creates the list holding `modules`, registered as children '0', '1', ... */
  constructor(modules: Iterable<Module> = []) {
    super();
    // 1. validate
    if (modules === null || typeof modules !== 'object' || typeof (modules as Iterable<Module>)[Symbol.iterator] !== 'function') {
      throw validator('ModuleList').invalid('modules', modules, 'a list of modules');
    }
    const list = [...modules];
    list.forEach((m, i) => {
      if (!(m instanceof Module)) throw validator('ModuleList').error(`entry ${i} is not a Module (got ${describeValue(m)})`);
    });
    // 2. mutate
    for (const m of list) this.append(m);
  }

  /** Add a module at the end; returns this. */
  append(module: Module): this {
    if (!(module instanceof Module)) throw new ArgumentError(`ModuleList: entry ${this.#length} is not a Module`);
    this.registerModule(String(this.#length), module);
    this.#length++;
    return this;
  }

  /** The number of modules held. */
  get length(): number {
    return this.#length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const i = index < 0 ? index + this.#length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.#length) {
      throw new ArgumentError(`ModuleList.at: index ${index} is out of range for ${this.#length} modules`);
    }
    return this.children()[i];
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  override forward(): Tensor {
    throw new ArgumentError('ModuleList has no forward; iterate over it and call each module');
  }
}

/**
 * A residual (skip) connection around a body: `x + body(x)`, as in ResNets. The body must keep
 * the shape of its input (e.g. Linear(w, w) → activation).
 *
 *     new nn.Residual(new nn.Sequential(new nn.Linear(64, 64), new nn.Sigmoid()))
 */
export class Residual extends Module {
  /** The wrapped module f in x + f(x). */
  readonly body: Module;

  /** Wraps `body` so that the layer computes x + body(x). */
  constructor(body: Module) {
    super();
    if (!(body instanceof Module)) {
      throw new ArgumentError(`Residual: the body must be a Module (got ${body === null ? 'null' : typeof body})`);
    }
    this.body = body;
  }

  override forward(x: Tensor): Tensor {
    const y = this.body.forward(x);
    if (y.shape.length !== x.shape.length || y.shape.some((d, i) => d !== x.shape[i])) {
      throw new ShapeError(
        `Residual: the body maps ${formatShape(x.shape)} to ${formatShape(y.shape)}; a skip connection needs the same shape in and out (give the body equal input and output widths)`,
      );
    }
    return x.add(y);
  }
}

/** Returns its input unchanged. */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flattens dimensions startDim..endDim into one (default: all but the batch dimension). */
export class Flatten extends Module {
  /** The first axis flattened. */
  readonly startDim: number;
  /** The last axis flattened (negative counts from the end). */
  readonly endDim: number;

  /** Creates a layer flattening axes `startDim` (default 1, keeping the batch axis) to `endDim`. */
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  override forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  protected override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Expands dimension `dim` into `sizes` (the inverse of Flatten): [N, 784] → [N, 1, 28, 28] with Unflatten(1, [1, 28, 28]). */
export class Unflatten extends Module {
  /** The axis expanded. */
  readonly dim: number;
  /** The shape that axis is expanded into. */
  readonly sizes: readonly number[];

  /** Creates a layer expanding axis `dim` into the shape `sizes`. */
  constructor(dim: number, sizes: readonly number[]) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`Unflatten: dim must be an integer, got ${String(dim)}`);
    if (!Array.isArray(sizes) || sizes.length === 0 || sizes.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ArgumentError(`Unflatten: sizes must be a non-empty list of non-negative integers, got ${JSON.stringify(sizes)}`);
    }
    this.dim = dim;
    this.sizes = Object.freeze([...sizes]);
  }

  override forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    const product = this.sizes.reduce((p, q) => p * q, 1);
    if (d < 0 || d >= x.ndim || x.shape[d] !== product) {
      throw new ShapeError(`Unflatten(${this.dim}, ${formatShape(this.sizes)}): dimension ${this.dim} of the input ${formatShape(x.shape)} must have size ${product}`);
    }
    return reshape(x, [...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }

  protected override extraRepr(): string {
    return `dim=${this.dim}, sizes=${formatShape(this.sizes)}`;
  }
}
