// Mini-batches over a dataset: `for (const { x, y, labels } of loader) { ... }`.
// Each batch is a fresh copy of its rows, made with typed-array block copies (one `set` per
// example, or one for the whole batch when the order is sequential).
import { tensor } from '../creation';
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import type { Generator } from '../random';
import { type Dataset, type FloatArray, allocFloat, rowSizeOf, storageOf } from './dataset';
import { type RandomSource, booleanOption, checkKeys, intOption, resolveGenerator } from './options';

/** One mini-batch. `labels` is null for regression datasets. */
export interface Batch<L extends readonly number[] | null = readonly number[] | null> {
  /** Inputs, [batchSize, ...features]. */
  readonly x: Tensor;
  /** Targets: class indices [batchSize] (classification) or [batchSize, ...outputs]. */
  readonly y: Tensor;
  /** Class indices for `crossEntropy(logits, batch.labels)`; null for regression. */
  readonly labels: L;
  /** The dataset rows in this batch, in batch order. */
  readonly indices: readonly number[];
}

export interface DataLoaderOptions extends RandomSource {
  /** Examples per batch, at least 1. */
  batchSize: number;
  /** Draw a new order for every epoch. Default false (dataset order). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
}

/**
 * Iterate over a dataset in mini-batches. Every pass (`for ... of`) is one epoch and visits each
 * example exactly once (except the dropped tail with `dropLast`).
 *
 * Shuffling: with `seed`, the loader owns a generator seeded once at construction, and each epoch
 * draws the next permutation from it, so epochs differ from one another but two loaders made
 * with the same seed give the same batches epoch after epoch. With `generator`, permutations are
 * drawn from that generator (shared with whatever else uses it); with neither, from the default
 * generator. The permutation is drawn when the epoch starts.
 *
 *     const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 1 });
 *     for (let epoch = 0; epoch < 3; epoch++)
 *       for (const batch of loader) model.forward(batch.x).crossEntropy(batch.labels).backward();
 */
export class DataLoader<D extends Dataset = Dataset> implements Iterable<Batch<D['labels']>> {
  /** The dataset batches are drawn from. */
  readonly dataset: D;
  /** Examples per batch. */
  readonly batchSize: number;
  /** Whether each epoch draws a new random order. */
  readonly shuffle: boolean;
  /** Whether the last, smaller batch is skipped. */
  readonly dropLast: boolean;
  private readonly source: RandomSource;
  private readonly ownGenerator: Generator | null;

  /** Creates a loader over `dataset` with the given batch size, shuffling and seed (checked). */
  constructor(dataset: D, options: DataLoaderOptions) {
    const fn = 'DataLoader';
    if (options === undefined || options === null) {
      throw new ArgumentError(`${fn}: options with a batchSize are required, e.g. new DataLoader(dataset, { batchSize: 64 })`);
    }
    checkKeys(fn, options, ['batchSize', 'shuffle', 'dropLast', 'seed', 'generator']);
    if (dataset === null || typeof dataset !== 'object' || !('x' in dataset) || !('length' in dataset)) {
      throw new ArgumentError(`${fn}: the first argument must be a dataset ({ x, y, labels, length, ... }), got ${String(dataset)}`);
    }
    this.dataset = dataset;
    this.batchSize = intOption(fn, 'batchSize', options.batchSize, 1);
    this.shuffle = booleanOption(fn, 'shuffle', options.shuffle ?? false);
    this.dropLast = booleanOption(fn, 'dropLast', options.dropLast ?? false);
    this.source = { seed: options.seed, generator: options.generator };
    // Validate now (a bad seed should fail here, not at the first epoch); keep a seeded one.
    const generator = resolveGenerator(fn, this.source);
    this.ownGenerator = options.seed !== undefined ? generator : null;
  }

  /** The number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch of batches (in a fresh random order each epoch when `shuffle` is set), so `for (const batch of loader)` works. */
  [Symbol.iterator](): Iterator<Batch<D['labels']>> {
    const order = this.epochOrder();
    const batches = this.length;
    const x = new RowSource(this.dataset.x);
    const y = new RowSource(this.dataset.y);
    const labels = this.dataset.labels;
    let b = 0;
    return {
      next: (): IteratorResult<Batch<D['labels']>> => {
        if (b >= batches) return { done: true, value: undefined };
        const start = b * this.batchSize;
        const indices = order.slice(start, Math.min(start + this.batchSize, order.length));
        b++;
        const batch: Batch<D['labels']> = {
          x: x.take(indices),
          y: y.take(indices),
          labels: (labels === null ? null : indices.map((i) => labels[i])) as D['labels'],
          indices,
        };
        return { done: false, value: batch };
      },
    };
  }

  private epochOrder(): number[] {
    const n = this.dataset.length;
    if (!this.shuffle) return Array.from({ length: n }, (_, i) => i);
    const generator = this.ownGenerator ?? resolveGenerator('DataLoader', this.source);
    return generator.permutation(n);
  }
}

/** Copies rows of one tensor into batch tensors. */
class RowSource {
  private readonly values: FloatArray;
  private readonly rowSize: number;
  private readonly rest: readonly number[];

  constructor(private readonly t: Tensor) {
    this.values = storageOf(t);
    this.rowSize = rowSizeOf(t);
    this.rest = t.shape.slice(1);
  }

  take(indices: readonly number[]): Tensor {
    const { rowSize, values } = this;
    const out = allocFloat(this.t.dtype, indices.length * rowSize);
    if (isRun(indices)) {
      const from = indices[0] * rowSize;
      out.set(values.subarray(from, from + out.length));
    } else {
      for (let k = 0; k < indices.length; k++) {
        const from = indices[k] * rowSize;
        out.set(values.subarray(from, from + rowSize), k * rowSize);
      }
    }
    return tensor(out, { shape: [indices.length, ...this.rest], dtype: this.t.dtype });
  }
}

/** True when indices are consecutive (i, i+1, ...), so the batch is one block of the storage. */
function isRun(indices: readonly number[]): boolean {
  for (let k = 1; k < indices.length; k++) if (indices[k] !== indices[k - 1] + 1) return false;
  return indices.length > 0;
}
