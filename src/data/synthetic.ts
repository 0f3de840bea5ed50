// Small synthetic classification sets: XOR, two interleaved spirals, Gaussian blobs. Every
// random draw comes from the seeded Generator, so the same seed gives the same data bit for
// bit. Labels are assigned round-robin where the generator chooses them, so any prefix of a
// dataset is balanced.
import { ArgumentError } from '../errors';
import type { Dtype } from '../tensor';
import { type ClassificationDataset, allocFloat, classificationDataset } from './dataset';
import { type RandomSource, checkKeys, dtypeOption, intOption, numberOption, resolveGenerator } from './options';

const BINARY = ['0', '1'];

export interface XorOptions extends RandomSource {
  /** Number of points. Default 200. */
  n?: number;
  /** Standard deviation of the Gaussian spread around each corner. Default 0.1. */
  noise?: number;
  /** float32 (default) or float64. */
  dtype?: Dtype;
}

/**
 * XOR in two dimensions: points spread around the corners (±1, ±1), the i-th around corner
 * i mod 4 in the order (-1,-1), (1,-1), (-1,1), (1,1). The label is the XOR of the signs of the
 * point's own coordinates: 1 when exactly one coordinate is positive. With noise 0 and n = 4
 * this is the XOR truth table (in ±1 encoding).
 */
export function xor(options: XorOptions = {}): ClassificationDataset {
  const fn = 'xor';
  checkKeys(fn, options, ['n', 'noise', 'dtype', 'seed', 'generator']);
  const n = intOption(fn, 'n', options.n ?? 200, 1);
  const noise = numberOption(fn, 'noise', options.noise ?? 0.1, 0, Number.POSITIVE_INFINITY);
  const dtype = dtypeOption(fn, options.dtype);
  const generator = resolveGenerator(fn, options);
  const corners = [
    [-1, -1],
    [1, -1],
    [-1, 1],
    [1, 1],
  ];
  const x = allocFloat(dtype, n * 2);
  const labels = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = corners[i % 4];
    x[2 * i] = cx + noise * generator.normal();
    x[2 * i + 1] = cy + noise * generator.normal();
    // Read back the stored values, so the label agrees with x even after float32 rounding.
    labels[i] = x[2 * i] > 0 !== x[2 * i + 1] > 0 ? 1 : 0;
  }
  return classificationDataset('xor', x, [2], labels, 2, BINARY, dtype);
}

export interface TwoSpiralsOptions extends RandomSource {
  /** Number of points, even (n/2 per spiral). Default 200. */
  n?: number;
  /** Standard deviation of Gaussian noise added to each coordinate. Default 0. */
  noise?: number;
  /** How many times each spiral winds around the origin, > 0. Default 1.5. */
  turns?: number;
  /** float32 (default) or float64. */
  dtype?: Dtype;
}

/**
 * Two interleaved spirals (Lang and Witbrock's benchmark). Point i draws t uniform in [0, 1)
 * and sits at angle θ = 2π·turns·t and radius r = t, so the radius grows linearly with the
 * angle; class 1 is class 0 rotated by half a turn. Labels alternate (i mod 2), so each class
 * has n/2 points. Coordinates lie in [-1, 1] before noise.
 */
export function twoSpirals(options: TwoSpiralsOptions = {}): ClassificationDataset {
  const fn = 'twoSpirals';
  checkKeys(fn, options, ['n', 'noise', 'turns', 'dtype', 'seed', 'generator']);
  const n = intOption(fn, 'n', options.n ?? 200, 2);
  if (n % 2 !== 0) throw new ArgumentError(`${fn}: n must be even (n/2 points per spiral), got ${n}`);
  const noise = numberOption(fn, 'noise', options.noise ?? 0, 0, Number.POSITIVE_INFINITY);
  const turns = numberOption(fn, 'turns', options.turns ?? 1.5, 0, Number.POSITIVE_INFINITY, { lowOpen: true });
  const dtype = dtypeOption(fn, options.dtype);
  const generator = resolveGenerator(fn, options);
  const x = allocFloat(dtype, n * 2);
  const labels = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = generator.uniform();
    const angle = 2 * Math.PI * turns * t;
    const sign = label === 0 ? 1 : -1;
    x[2 * i] = sign * t * Math.cos(angle) + noise * generator.normal();
    x[2 * i + 1] = sign * t * Math.sin(angle) + noise * generator.normal();
    labels[i] = label;
  }
  return classificationDataset('twoSpirals', x, [2], labels, 2, BINARY, dtype);
}

export interface BlobsOptions extends RandomSource {
  /** Number of points. Default 300. */
  n?: number;
  /** The cluster centres, one row of `dims` numbers each. Give this or `k`. */
  centers?: readonly (readonly number[])[];
  /** Number of clusters with random centres (uniform in [-box, box]^dims). Default 3. */
  k?: number;
  /** Standard deviation of each cluster: one number, or one per cluster. Default 1. */
  std?: number | readonly number[];
  /** Input dimensions (for random centres). Default 2. */
  dims?: number;
  /** Half-width of the box random centres are drawn from. Default 10. */
  box?: number;
  /** float32 (default) or float64. */
  dtype?: Dtype;
}

/** Gaussian blobs with the centres they were drawn around (row c is the centre of class c). */
export interface BlobsDataset extends ClassificationDataset {
  /** The centre of each cluster, one per class. */
  readonly centers: readonly (readonly number[])[];
}

/**
 * Isotropic Gaussian clusters, one class per cluster: point i belongs to cluster i mod k and is
 * its centre plus std·N(0, I). Random centres are drawn first, then the points.
 */
export function blobs(options: BlobsOptions = {}): BlobsDataset {
  const fn = 'blobs';
  checkKeys(fn, options, ['n', 'centers', 'k', 'std', 'dims', 'box', 'dtype', 'seed', 'generator']);
  const n = intOption(fn, 'n', options.n ?? 300, 1);
  const dtype = dtypeOption(fn, options.dtype);
  const generator = resolveGenerator(fn, options);
  if (options.centers !== undefined && options.k !== undefined) {
    throw new ArgumentError(`${fn}: pass either centers or k, not both`);
  }
  let centers: number[][];
  let dims: number;
  if (options.centers !== undefined) {
    if (!Array.isArray(options.centers) || options.centers.length === 0) {
      throw new ArgumentError(`${fn}: centers must be a non-empty array of points, got ${JSON.stringify(options.centers)}`);
    }
    centers = options.centers.map((c) => Array.from(c));
    dims = centers[0].length;
    if (options.dims !== undefined && options.dims !== dims) {
      throw new ArgumentError(`${fn}: dims is ${options.dims} but the centers have ${dims} coordinates`);
    }
    centers.forEach((c, i) => {
      if (c.length !== dims || dims === 0 || c.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        throw new ArgumentError(`${fn}: every center must have the same positive number of finite coordinates; center ${i} is ${JSON.stringify(c)}`);
      }
    });
  } else {
    const k = intOption(fn, 'k', options.k ?? 3, 1);
    dims = intOption(fn, 'dims', options.dims ?? 2, 1);
    const box = numberOption(fn, 'box', options.box ?? 10, 0, Number.POSITIVE_INFINITY);
    centers = Array.from({ length: k }, () => Array.from({ length: dims }, () => -box + 2 * box * generator.uniform()));
  }
  const k = centers.length;
  const stdOption = options.std ?? 1;
  const stds = typeof stdOption === 'number' ? new Array<number>(k).fill(stdOption) : Array.from(stdOption);
  if (stds.length !== k) throw new ArgumentError(`${fn}: std has ${stds.length} entries for ${k} clusters`);
  stds.forEach((s, c) => numberOption(fn, typeof stdOption === 'number' ? 'std' : `std[${c}]`, s, 0, Number.POSITIVE_INFINITY));

  const x = allocFloat(dtype, n * dims);
  const labels = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    for (let j = 0; j < dims; j++) x[i * dims + j] = centers[c][j] + stds[c] * generator.normal();
    labels[i] = c;
  }
  const classNames = Array.from({ length: k }, (_, c) => String(c));
  return { ...classificationDataset('blobs', x, [dims], labels, k, classNames, dtype), centers };
}
