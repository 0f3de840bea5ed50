// The Dataset type shared by every loader and generator, and the operations on whole datasets:
// make one from your own tensors, take a subset, split into train and test (stratified by class
// when asked), one-hot labels.
import * as nd from '../nd';
import { describeValue } from '../validate';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { tensor } from '../creation';
import { type Dtype, Tensor } from '../tensor';
import type { Generator } from '../random';
import { type RandomSource, booleanOption, checkKeys, intOption, numberOption, resolveGenerator } from './options';

/**
 * Labelled examples for classification. `labels` feeds `crossEntropy(logits, dataset.labels)`
 * directly; `y` holds the same class indices as a float tensor for APIs that want a Tensor.
 */
export interface ClassificationDataset {
  /** Always 'classification'. */
  readonly task: 'classification';
  /** The dataset's name ('mnist', 'iris', 'xor', ...). */
  readonly name: string;
  /** Inputs, shape [length, ...features] (for example [N, 784] or [N, 1, 28, 28]). */
  readonly x: Tensor;
  /** The class indices as a float tensor of shape [length], in x's dtype. */
  readonly y: Tensor;
  /** The class indices 0..numClasses-1 as plain integers, one per example. */
  readonly labels: readonly number[];
  /** The number of classes. */
  readonly numClasses: number;
  /** A name per class index (for MNIST '0'...'9', for iris the species). */
  readonly classNames: readonly string[];
  /** The number of examples (x.shape[0]). */
  readonly length: number;
}

/** Examples with real-valued targets: `y` has shape [length, outputs] and there are no labels. */
export interface RegressionDataset {
  /** Always 'regression'. */
  readonly task: 'regression';
  /** The dataset's name. */
  readonly name: string;
  /** Inputs, shape [length, ...features]. */
  readonly x: Tensor;
  /** Targets, shape [length, ...outputs]. */
  readonly y: Tensor;
  /** Always null: regression has no class labels. */
  readonly labels: null;
  /** Always 0. */
  readonly numClasses: 0;
  /** The number of examples (x.shape[0]). */
  readonly length: number;
}

/** A dataset: classification (inputs and labels) or regression (inputs and targets). */
export type Dataset = ClassificationDataset | RegressionDataset;

/** A train/test pair, as returned by the loaders and by `trainTestSplit`. */
export interface Split<D extends Dataset = Dataset> {
  /** The training split. */
  train: D;
  /** The test split. */
  test: D;
}

/** A Float32Array or a Float64Array. */
export type FloatArray = Float32Array | Float64Array;

export function allocFloat(dtype: Dtype, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** The values of `t` in C order, without copying when `t` is already contiguous. Read only. */
export function storageOf(t: Tensor): FloatArray {
  return nd.contiguous(t.data).data;
}

/** The number of values in one example of `t` (the product of its trailing dimensions). */
export function rowSizeOf(t: Tensor): number {
  let size = 1;
  for (let d = 1; d < t.shape.length; d++) size *= t.shape[d];
  return size;
}

/** Copy rows `indices` of `src` (rows of `rowSize` values) into `dst` one after another. */
export function gatherRows(src: FloatArray, rowSize: number, indices: readonly number[], dst: FloatArray, dstRow = 0): void {
  for (let k = 0; k < indices.length; k++) {
    const from = indices[k] * rowSize;
    dst.set(src.subarray(from, from + rowSize), (dstRow + k) * rowSize);
  }
}

/** @internal Build a classification dataset from a flat C-order input array. */
export function classificationDataset(
  name: string,
  x: FloatArray,
  featureShape: readonly number[],
  labels: number[],
  numClasses: number,
  classNames: readonly string[],
  dtype: Dtype,
): ClassificationDataset {
  const n = labels.length;
  return {
    task: 'classification',
    name,
    x: tensor(x, { shape: [n, ...featureShape], dtype }),
    y: tensor(Float64Array.from(labels), { shape: [n], dtype }),
    labels,
    numClasses,
    classNames,
    length: n,
  };
}

/** @internal Build a regression dataset from flat C-order input and target arrays. */
export function regressionDataset(
  name: string,
  x: FloatArray,
  featureShape: readonly number[],
  y: FloatArray,
  outputShape: readonly number[],
  dtype: Dtype,
): RegressionDataset {
  const n = x.length / nd.sizeOf(featureShape);
  return {
    task: 'regression',
    name,
    x: tensor(x, { shape: [n, ...featureShape], dtype }),
    y: tensor(y, { shape: [n, ...outputShape], dtype }),
    labels: null,
    numClasses: 0,
    length: n,
  };
}

/** Options of `createDataset` for a classification set. */
export interface CreateClassificationOptions {
  /** The dataset's name (default 'custom'). */
  name?: string;
  /** Inputs, shape [N, ...features]. */
  x: Tensor;
  /** One class index per example, integers in [0, numClasses). */
  labels: readonly number[];
  /** Defaults to the largest label + 1. */
  numClasses?: number;
  /** Defaults to '0', '1', ... */
  classNames?: readonly string[];
}

/** Options of `createDataset` for a regression set. */
export interface CreateRegressionOptions {
  /** The dataset's name (default 'custom'). */
  name?: string;
  /** Inputs, shape [N, ...features]. */
  x: Tensor;
  /** Targets, shape [N] or [N, ...outputs]; a 1-D y becomes [N, 1]. */
  y: Tensor;
}

/**
 * A dataset from your own tensors, to use with `DataLoader`, `subset` and `trainTestSplit`.
 * Give `labels` for classification or `y` for regression. The tensors are shared, not copied.
 */
export function createDataset(options: CreateClassificationOptions): ClassificationDataset;
export function createDataset(options: CreateRegressionOptions): RegressionDataset;
export function createDataset(options: CreateClassificationOptions | CreateRegressionOptions): Dataset {
  const fn = 'createDataset';
  if (options === undefined) throw new ArgumentError(`${fn}: expected options { x, labels } or { x, y }, got undefined`);
  checkKeys(fn, options, ['name', 'x', 'labels', 'numClasses', 'classNames', 'y']);
  const { x } = options;
  const name = options.name ?? 'custom';
  if (x === undefined || x === null || typeof x !== 'object' || !('shape' in x)) {
    throw new ArgumentError(`${fn}: x must be a Tensor of shape [N, ...features]`);
  }
  if (x.ndim < 1) throw new ShapeError(`${fn}: x must have at least one dimension (examples first), got shape []`);
  const n = x.shape[0];
  const hasLabels = 'labels' in options && options.labels !== undefined;
  const hasY = 'y' in options && options.y !== undefined;
  if (hasLabels === hasY) {
    throw new ArgumentError(`${fn}: give exactly one of labels (classification) or y (regression)`);
  }
  if (hasY) {
    const y = (options as CreateRegressionOptions).y;
    if (y.ndim < 1 || y.shape[0] !== n) {
      throw new ShapeError(`${fn}: y must have one row per example of x (${n}), got shape ${formatShape(y.shape)}`);
    }
    if (y.dtype !== x.dtype) throw new ArgumentError(`${fn}: y is ${y.dtype} but x is ${x.dtype}; convert one with .to()`);
    return { task: 'regression', name, x, y: y.ndim === 1 ? y.reshape([n, 1]) : y, labels: null, numClasses: 0, length: n };
  }
  const opts = options as CreateClassificationOptions;
  const labels = Array.from(opts.labels);
  if (labels.length !== n) throw new ShapeError(`${fn}: ${labels.length} labels for ${n} examples of x`);
  let largest = -1;
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0) {
      throw new ArgumentError(`${fn}: labels must be non-negative integer class indices, got ${labels[i]} at index ${i}`);
    }
    largest = Math.max(largest, labels[i]);
  }
  const numClasses =
    opts.numClasses === undefined ? largest + 1 : intOption(fn, 'numClasses', opts.numClasses, Math.max(1, largest + 1));
  const classNames = opts.classNames ?? Array.from({ length: numClasses }, (_, c) => String(c));
  if (classNames.length !== numClasses) {
    throw new ArgumentError(`${fn}: ${classNames.length} classNames for ${numClasses} classes`);
  }
  return {
    task: 'classification',
    name,
    x,
    y: tensor(Float64Array.from(labels), { shape: [n], dtype: x.dtype }),
    labels,
    numClasses,
    classNames,
    length: n,
  };
}

/**
 * The examples at `indices`, in that order, as a new dataset with its own storage (any extra
 * fields, such as a teacher's weights or blob centers, are kept).
 */
export function subset<D extends Dataset>(dataset: D, indices: readonly number[]): D {
  checkDataset('subset', dataset);
  if (!Array.isArray(indices)) throw new ArgumentError(`subset: indices must be an array of integers, got ${describeValue(indices)}`);
  const n = dataset.length;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new ArgumentError(`subset: indices must be integers in [0, ${n - 1}] for dataset '${dataset.name}', got ${i} at position ${k}`);
    }
  }
  const x = takeRows(dataset.x, indices);
  const y = takeRows(dataset.y, indices);
  const labels = dataset.labels === null ? null : indices.map((i) => dataset.labels[i]);
  return { ...dataset, x, y, labels, length: indices.length } as D;
}

function takeRows(t: Tensor, indices: readonly number[]): Tensor {
  const rowSize = rowSizeOf(t);
  const out = allocFloat(t.dtype, indices.length * rowSize);
  gatherRows(storageOf(t), rowSize, indices, out);
  return tensor(out, { shape: [indices.length, ...t.shape.slice(1)], dtype: t.dtype });
}

/**
 * Split `total` into parts proportional to `weights` that sum exactly to `total` (largest
 * remainder; ties go to the lower index, so the result is deterministic).
 */
export function proportionalCounts(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => i).sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
  for (const i of order) {
    if (left === 0) break;
    counts[i]++;
    left--;
  }
  return counts;
}

/**
 * Indices for a train/test split. Stratified: every class contributes to each side in proportion
 * to its size (largest remainder), its examples chosen by a seeded permutation; then each side is
 * shuffled so classes are mixed. Plain: one permutation of all examples, test first.
 * `byClass[c]` lists the examples of class c; for a plain split pass one list of everything.
 */
export function splitIndices(
  byClass: readonly (readonly number[])[],
  trainSize: number,
  testSize: number,
  generator: Generator,
): { train: number[]; test: number[] } {
  const counts = byClass.map((members) => members.length);
  const used = proportionalCounts(counts, trainSize + testSize);
  const testPerClass = proportionalCounts(used, testSize);
  let train: number[] = [];
  let test: number[] = [];
  byClass.forEach((members, c) => {
    const order = generator.permutation(members.length);
    for (let k = 0; k < used[c]; k++) (k < testPerClass[c] ? test : train).push(members[order[k]]);
  });
  if (byClass.length > 1) {
    train = shuffled(train, generator);
    test = shuffled(test, generator);
  }
  return { train, test };
}

function shuffled(values: readonly number[], generator: Generator): number[] {
  return generator.permutation(values.length).map((k) => values[k]);
}

/** @internal The examples of each class, in dataset order. */
export function indicesByClass(labels: readonly number[], numClasses: number): number[][] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((label, i) => byClass[label].push(i));
  return byClass;
}

export interface TrainTestSplitOptions extends RandomSource {
  /** Fraction of the examples in the test set, in [0, 1). Default 0.2. */
  testFraction?: number;
  /** Exact number of test examples (instead of testFraction). */
  testSize?: number;
  /** Keep the class proportions on both sides. Default true for classification. */
  stratify?: boolean;
}

/**
 * Split a dataset into train and test with a seeded generator. Every example lands in exactly
 * one side. Classification data is stratified by default (see `splitIndices`).
 */
export function trainTestSplit<D extends Dataset>(dataset: D, options: TrainTestSplitOptions = {}): Split<D> {
  const fn = 'trainTestSplit';
  checkDataset(fn, dataset);
  checkKeys(fn, options, ['testFraction', 'testSize', 'stratify', 'seed', 'generator']);
  const n = dataset.length;
  if (n < 1) throw new ArgumentError(`${fn}: dataset '${dataset.name}' is empty`);
  if (options.testFraction !== undefined && options.testSize !== undefined) {
    throw new ArgumentError(`${fn}: pass either testFraction or testSize, not both`);
  }
  const testSize =
    options.testSize !== undefined
      ? intOption(fn, 'testSize', options.testSize, 0, n - 1)
      : Math.min(n - 1, Math.round(n * numberOption(fn, 'testFraction', options.testFraction ?? 0.2, 0, 1, { highOpen: true })));
  const stratify = booleanOption(fn, 'stratify', options.stratify ?? dataset.task === 'classification');
  if (stratify && dataset.labels === null) {
    throw new ArgumentError(`${fn}: stratify needs class labels, and '${dataset.name}' is a regression dataset`);
  }
  const generator = resolveGenerator(fn, options);
  const all = Array.from({ length: n }, (_, i) => i);
  const byClass = stratify && dataset.labels !== null ? indicesByClass(dataset.labels, dataset.numClasses) : [all];
  const { train, test } = splitIndices(byClass, n - testSize, testSize, generator);
  return { train: subset(dataset, train), test: subset(dataset, test) };
}

/** Class indices as one-hot rows: shape [labels.length, numClasses]. */
export function oneHot(labels: readonly number[] | Tensor, numClasses: number, options: { dtype?: Dtype } = {}): Tensor {
  const fn = 'oneHot';
  intOption(fn, 'numClasses', numClasses, 1);
  const values = Array.isArray(labels) ? (labels as readonly number[]) : Array.from(storageOf(labels as Tensor));
  const out = allocFloat(options.dtype ?? 'float32', values.length * numClasses);
  values.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new ArgumentError(`${fn}: labels must be integers in [0, ${numClasses - 1}], got ${label} at index ${i}`);
    }
    out[i * numClasses + label] = 1;
  });
  return tensor(out, { shape: [values.length, numClasses], dtype: options.dtype ?? 'float32' });
}

/** A dataset argument: an object made by createDataset or a loader (with x, length and name). */
function checkDataset(fn: string, dataset: unknown): void {
  const d = dataset as { x?: unknown; length?: unknown } | null;
  if (d === null || typeof d !== 'object' || !(d.x instanceof Tensor) || typeof d.length !== 'number') {
    throw new ArgumentError(`${fn}: expected a dataset (from createDataset or a loader), got ${describeValue(dataset)}`);
  }
}
