// The four 2-D sets of the playground, two classes each, from one seed: circles (made here),
// XOR, two spirals and Gaussian blobs (the library's generators). `noise` (0 to 0.5) blurs each.
import { Generator, data } from 'surrograd';
import type { DatasetKind } from './config';

/** Points as plain arrays: x[2i], x[2i+1] are point i's coordinates, labels[i] its class (0 or 1). */
export interface Points {
  x: Float32Array;
  labels: number[];
}

export interface PlaygroundData {
  train: Points;
  test: Points;
  /** The square [-extent, extent]² that holds (nearly) every point: the plotted region. */
  extent: number;
}

export const TRAIN_SIZE = 300;
export const TEST_SIZE = 200;

/** `n` points of dataset `kind`, with noise, drawn from `seed`. */
export function makePoints(kind: DatasetKind, n: number, noise: number, seed: number): Points {
  switch (kind) {
    case 'circles':
      return circles(n, noise, seed);
    case 'xor':
      return fromDataset(data.xor({ n, noise: 0.35 + noise, seed }));
    case 'spirals':
      return fromDataset(data.twoSpirals({ n: n + (n % 2), noise: noise / 4, seed }), n);
    case 'blobs':
      return fromDataset(data.blobs({ n, centers: [[-0.6, -0.5], [0.6, 0.5]], std: 0.25 + noise, seed }));
  }
}

/** Train and test points (different seeds), and the region to plot. */
export function makeData(kind: DatasetKind, noise: number, seed: number): PlaygroundData {
  const extent = { circles: 1.4, xor: 2.2, spirals: 1.3, blobs: 1.8 }[kind];
  return { train: makePoints(kind, TRAIN_SIZE, noise, seed), test: makePoints(kind, TEST_SIZE, noise, seed + 7919), extent };
}

/** Class 0 inside radius 0.5, class 1 on a ring from 0.75 to 1 (uniform in angle), plus noise. */
function circles(n: number, noise: number, seed: number): Points {
  const g = new Generator(seed);
  const x = new Float32Array(2 * n);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const r = label === 0 ? 0.5 * Math.sqrt(g.uniform()) : 0.75 + 0.25 * g.uniform();
    const angle = 2 * Math.PI * g.uniform();
    x[2 * i] = r * Math.cos(angle) + (noise / 2) * g.normal();
    x[2 * i + 1] = r * Math.sin(angle) + (noise / 2) * g.normal();
    labels.push(label);
  }
  return { x, labels };
}

function fromDataset(set: { x: { toTypedArray(): ArrayLike<number> }; labels: readonly number[] }, n = set.labels.length): Points {
  const values = set.x.toTypedArray();
  return { x: Float32Array.from({ length: 2 * n }, (_, i) => values[i]), labels: set.labels.slice(0, n) };
}
