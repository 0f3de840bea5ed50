import { describe, expect, it } from 'vitest';
import { DataLoader, createDataset, teacher, type ClassificationDataset } from '../../src/data';
import { tensor, zeros } from '../../src/creation';
import { crossEntropy } from '../../src/ops';
import { Generator } from '../../src/random';
import { rows, values } from './helpers';
import { ArgumentError } from '../../src/errors';

/** n examples whose single feature and label identify them: x = [i, 10 i], label i mod 3. */
function numbered(n: number): ClassificationDataset {
  const x = tensor(Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k / 2 : 5 * k - 5 * (k % 2))), { shape: [n, 2] });
  return createDataset({ name: 'numbered', x, labels: Array.from({ length: n }, (_, i) => i % 3), numClasses: 3 });
}

function epochIndices<D extends ClassificationDataset>(loader: DataLoader<D>): number[][] {
  return [...loader].map((b) => [...b.indices]);
}

describe('DataLoader', () => {
  it('gives batches of batchSize with a smaller last batch, in order without shuffle', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.x.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches.map((b) => b.y.shape)).toEqual([[4], [4], [2]]);
    expect(batches.flatMap((b) => b.indices)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('drops the last partial batch with dropLast', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map((b) => b.x.shape[0])).toEqual([4, 4]);
    expect(new DataLoader(numbered(8), { batchSize: 4, dropLast: true }).length).toBe(2);
    expect(new DataLoader(numbered(3), { batchSize: 4, dropLast: true }).length).toBe(0);
    expect([...new DataLoader(numbered(3), { batchSize: 4, dropLast: true })]).toEqual([]);
  });

  it('copies the right rows, targets and labels into each shuffled batch', () => {
    const data = numbered(23);
    for (const batch of new DataLoader(data, { batchSize: 5, shuffle: true, seed: 1 })) {
      expect(rows(batch.x)).toEqual(batch.indices.map((i) => [i, 10 * i]));
      expect(batch.labels).toEqual(batch.indices.map((i) => i % 3));
      expect(values(batch.y)).toEqual(batch.indices.map((i) => i % 3));
    }
  });

  it('covers every example exactly once per epoch, reshuffling between epochs', () => {
    const loader = new DataLoader(numbered(50), { batchSize: 8, shuffle: true, seed: 3 });
    const epochs = [epochIndices(loader), epochIndices(loader), epochIndices(loader)];
    for (const epoch of epochs) {
      expect(epoch.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(epoch.map((b) => b.length)).toEqual([8, 8, 8, 8, 8, 8, 2]);
    }
    expect(epochs[0].flat()).not.toEqual(epochs[1].flat());
    expect(epochs[1].flat()).not.toEqual(epochs[2].flat());
    expect(epochs[0].flat()).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('is reproducible from the seed epoch after epoch, and differs for another seed', () => {
    const data = numbered(40);
    const a = new DataLoader(data, { batchSize: 6, shuffle: true, seed: 7 });
    const b = new DataLoader(data, { batchSize: 6, shuffle: true, seed: 7 });
    const c = new DataLoader(data, { batchSize: 6, shuffle: true, seed: 8 });
    for (let epoch = 0; epoch < 3; epoch++) {
      const ea = epochIndices(a);
      expect(epochIndices(b)).toEqual(ea);
      expect(epochIndices(c)).not.toEqual(ea);
    }
  });

  it('draws from a given generator, so a fresh generator with the same seed repeats the epochs', () => {
    const data = numbered(30);
    const first = new DataLoader(data, { batchSize: 30, shuffle: true, generator: new Generator(5) });
    const again = new DataLoader(data, { batchSize: 30, shuffle: true, generator: new Generator(5) });
    expect(epochIndices(first)).toEqual(epochIndices(again));
    expect(epochIndices(first)).toEqual(epochIndices(again));
    expect(epochIndices(first)).not.toEqual(epochIndices(new DataLoader(data, { batchSize: 30, shuffle: true, generator: new Generator(5) })));
  });

  it('batches regression data: labels are null and y keeps its output axis', () => {
    const d = teacher({ n: 10, inputs: 3, outputs: 2, seed: 1 });
    const batches = [...new DataLoader(d, { batchSize: 4, shuffle: true, seed: 2 })];
    expect(batches.map((b) => b.y.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches.every((b) => b.labels === null)).toBe(true);
    const y = rows(d.y);
    for (const b of batches) expect(rows(b.y)).toEqual(b.indices.map((i) => y[i]));
  });

  it('keeps image-shaped inputs: [N, 1, 2, 2] gives [b, 1, 2, 2] batches', () => {
    const x = tensor(Float32Array.from({ length: 6 * 4 }, (_, k) => k), { shape: [6, 1, 2, 2] });
    const d = createDataset({ x, labels: [0, 1, 0, 1, 0, 1] });
    const [first] = new DataLoader(d, { batchSize: 4, shuffle: true, seed: 1 });
    expect(first.x.shape).toEqual([4, 1, 2, 2]);
    expect(values(first.x)).toEqual(first.indices.flatMap((i) => [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3]));
  });

  it('gives batches that do not share storage with the dataset', () => {
    const data = numbered(4);
    const [batch] = new DataLoader(data, { batchSize: 4 });
    batch.x.toNdarray().data[0] = 99;
    expect(values(data.x)[0]).toBe(0);
  });

  it('feeds crossEntropy with batch.labels or batch.y alike (uniform logits give log C)', () => {
    const data = numbered(7);
    for (const batch of new DataLoader(data, { batchSize: 3, shuffle: true, seed: 4 })) {
      const logits = zeros([batch.x.shape[0], data.numClasses]);
      const labels: readonly number[] = batch.labels; // classification batches carry labels (typed)
      expect(crossEntropy(logits, labels).item()).toBeCloseTo(Math.log(3), 6);
      expect(crossEntropy(logits, batch.y).item()).toBeCloseTo(Math.log(3), 6);
    }
    const [regression] = new DataLoader(teacher({ n: 2, seed: 1 }), { batchSize: 2 });
    const none: null = regression.labels; // regression batches have none (typed)
    expect(none).toBeNull();
  });

  it('names bad options', () => {
    const data = numbered(4);
    expect(() => new DataLoader(data, { batchSize: 0 })).toThrow(/batchSize must be an integer ≥ 1, got 0/);
    expect(() => new DataLoader(data, { batchSize: 2.5 })).toThrow(/batchSize must be an integer ≥ 1, got 2.5/);
    expect(() => new DataLoader(data, { batchSize: 2, seed: 1, generator: new Generator(1) })).toThrow(/either seed or generator/);
    // @ts-expect-error: a typo of dropLast
    expect(() => new DataLoader(data, { batchSize: 2, droplast: true })).toThrowWith(ArgumentError, /unknown option 'droplast'/);
    // @ts-expect-error: options are required
    expect(() => new DataLoader(data)).toThrowWith(ArgumentError, /batchSize are required/);
  });
});
