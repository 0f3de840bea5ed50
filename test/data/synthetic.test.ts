import { describe, expect, it } from 'vitest';
import { blobs, teacher, twoSpirals, xor } from '../../src/data';
import { ArgumentError } from '../../src/errors';
import { Generator, manualSeed } from '../../src/random';
import { bitsEqual, column, countBy, mean, rows, std, values } from './helpers';

describe('xor', () => {
  it('has n points in 2-D with labels equal to the XOR of the input signs', () => {
    const d = xor({ n: 400, noise: 0.3, seed: 3 });
    expect(d.x.shape).toEqual([400, 2]);
    expect(d.y.shape).toEqual([400]);
    expect(d.numClasses).toBe(2);
    expect(d.length).toBe(400);
    rows(d.x).forEach(([a, b], i) => {
      expect(d.labels[i]).toBe((a > 0) !== (b > 0) ? 1 : 0);
    });
    expect(values(d.y)).toEqual([...d.labels]);
  });

  it('is the ±1 truth table with n = 4 and no noise', () => {
    const d = xor({ n: 4, noise: 0, seed: 0 });
    expect(rows(d.x)).toEqual([[-1, -1], [1, -1], [-1, 1], [1, 1]]);
    expect(d.labels).toEqual([0, 1, 1, 0]);
  });

  it('is balanced and spread around the four corners with small noise', () => {
    const d = xor({ n: 400, noise: 0.1, seed: 1 });
    expect(countBy(d.labels, 2)).toEqual([200, 200]);
    for (const [a, b] of rows(d.x)) {
      expect(Math.abs(Math.abs(a) - 1)).toBeLessThan(0.6);
      expect(Math.abs(Math.abs(b) - 1)).toBeLessThan(0.6);
    }
  });
});

describe('twoSpirals', () => {
  it('has two classes of n/2 points', () => {
    const d = twoSpirals({ n: 300, noise: 0.05, seed: 2 });
    expect(d.x.shape).toEqual([300, 2]);
    expect(countBy(d.labels, 2)).toEqual([150, 150]);
  });

  it('puts every noiseless point on its spiral: radius = angle / (2π·turns), class 1 turned by π', () => {
    const turns = 2.5;
    const d = twoSpirals({ n: 400, noise: 0, turns, seed: 7, dtype: 'float64' });
    rows(d.x).forEach(([px, py], i) => {
      const sign = d.labels[i] === 0 ? 1 : -1;
      const [qx, qy] = [sign * px, sign * py]; // rotate class 1 back onto class 0's spiral
      const r = Math.hypot(qx, qy);
      expect(r).toBeLessThan(1);
      const phi = (Math.atan2(qy, qx) + 2 * Math.PI) % (2 * Math.PI);
      // The unwrapped angle 2π·turns·r must be phi plus a whole number of turns.
      const wraps = (2 * Math.PI * turns * r - phi) / (2 * Math.PI);
      expect(Math.abs(wraps - Math.round(wraps))).toBeLessThan(1e-6);
      expect(Math.round(wraps)).toBeGreaterThanOrEqual(0);
      expect(Math.round(wraps)).toBeLessThanOrEqual(Math.ceil(turns));
    });
  });

  it('radius grows with angle: sorted by radius, the unwrapped angle increases', () => {
    const turns = 1.5;
    const d = twoSpirals({ n: 200, noise: 0, turns, seed: 9, dtype: 'float64' });
    // Unwrap each spiral independently by following the points from the centre outwards.
    for (const cls of [0, 1]) {
      const pts = rows(d.x)
        .filter((_, i) => d.labels[i] === cls)
        .map(([x, y]) => (cls === 0 ? [x, y] : [-x, -y]))
        .sort((p, q) => Math.hypot(p[0], p[1]) - Math.hypot(q[0], q[1]));
      let unwrapped = 0;
      let previous = Math.atan2(pts[0][1], pts[0][0]);
      for (const [x, y] of pts.slice(1)) {
        const a = Math.atan2(y, x);
        let step = a - previous;
        while (step < -Math.PI) step += 2 * Math.PI;
        while (step > Math.PI) step -= 2 * Math.PI;
        expect(step).toBeGreaterThanOrEqual(-1e-9); // counter-clockwise as the radius grows
        unwrapped += step;
        previous = a;
      }
      expect(unwrapped).toBeGreaterThan(2 * Math.PI * turns * 0.9);
    }
  });

  it('rejects an odd n and a non-positive turns', () => {
    expect(() => twoSpirals({ n: 5 })).toThrowWith(ArgumentError, /n must be even.*got 5/);
    expect(() => twoSpirals({ turns: 0 })).toThrow(ArgumentError);
    expect(() => twoSpirals({ noise: -1 })).toThrow(/noise must be a finite number ≥ 0, got -1/);
  });
});

describe('blobs', () => {
  it('draws each class around its given centre with the given spread', () => {
    const centers = [[0, 0, 0], [10, -5, 3]];
    const d = blobs({ n: 4000, centers, std: 0.5, seed: 4 });
    expect(d.x.shape).toEqual([4000, 3]);
    expect(d.numClasses).toBe(2);
    expect(countBy(d.labels, 2)).toEqual([2000, 2000]);
    const flat = d.x.toTypedArray();
    for (let c = 0; c < 2; c++) {
      for (let j = 0; j < 3; j++) {
        const col = column(flat, 3, j).filter((_, i) => d.labels[i] === c);
        // The sample mean of 2000 draws with sd 0.5 is within 5 standard errors (0.056) of the centre.
        expect(Math.abs(mean(col) - centers[c][j])).toBeLessThan(0.06);
        expect(Math.abs(std(col) - 0.5)).toBeLessThan(0.05);
      }
    }
    expect(d.centers).toEqual(centers);
  });

  it('draws k random centres inside the box in dims dimensions', () => {
    const d = blobs({ n: 50, k: 5, dims: 4, box: 3, seed: 1 });
    expect(d.x.shape).toEqual([50, 4]);
    expect(d.centers).toHaveLength(5);
    for (const c of d.centers) {
      expect(c).toHaveLength(4);
      for (const v of c) expect(Math.abs(v)).toBeLessThanOrEqual(3);
    }
    expect(countBy(d.labels, 5)).toEqual([10, 10, 10, 10, 10]);
  });

  it('names bad options', () => {
    expect(() => blobs({ centers: [[0, 0]], k: 2 })).toThrow(/either centers or k/);
    expect(() => blobs({ k: 0 })).toThrow(/k must be an integer ≥ 1, got 0/);
    expect(() => blobs({ centers: [[0, 0], [1]] })).toThrow(/center 1/);
    expect(() => blobs({ k: 2, std: [1, 2, 3] })).toThrow(/3 entries for 2 clusters/);
  });
});

describe('teacher', () => {
  /** The teacher's forward pass, written out independently of the library. */
  function teacherForward(x: number[][], layers: { weight: number[][]; bias: number[] }[], act: (v: number) => number): number[][] {
    return x.map((row) => {
      let h = row;
      layers.forEach(({ weight, bias }, l) => {
        const z = weight.map((w, o) => bias[o] + w.reduce((s, wj, j) => s + wj * h[j], 0));
        h = l === layers.length - 1 ? z : z.map(act);
      });
      return h;
    });
  }

  it('returns y = teacher(x) exactly without noise, with PyTorch-layout weights', () => {
    const d = teacher({ n: 64, inputs: 5, hidden: [7, 6], outputs: 2, noise: 0, seed: 11, dtype: 'float64' });
    expect(d.x.shape).toEqual([64, 5]);
    expect(d.y.shape).toEqual([64, 2]);
    expect(d.labels).toBeNull();
    expect(d.task).toBe('regression');
    expect(d.teacher.layers.map((l) => l.weight.shape)).toEqual([[7, 5], [6, 7], [2, 6]]);
    expect(d.teacher.layers.map((l) => l.bias.shape)).toEqual([[7], [6], [2]]);
    const layers = d.teacher.layers.map((l) => ({ weight: rows(l.weight), bias: values(l.bias) }));
    const expected = teacherForward(rows(d.x), layers, Math.tanh);
    rows(d.y).forEach((row, i) => row.forEach((v, o) => expect(v).toBeCloseTo(expected[i][o], 12)));
  });

  it('adds Gaussian noise of the given standard deviation around teacher.predict(x)', () => {
    const d = teacher({ n: 5000, inputs: 3, hidden: 8, noise: 0.5, activation: 'relu', seed: 5 });
    const clean = values(d.teacher.predict(d.x));
    const residual = values(d.y).map((v, i) => v - clean[i]);
    expect(Math.abs(mean(residual))).toBeLessThan(0.03);
    expect(Math.abs(std(residual) - 0.5)).toBeLessThan(0.025);
    expect(d.noise).toBe(0.5);
  });

  it('uses the chosen activation (relu teacher is piecewise linear: predict matches a relu forward)', () => {
    const d = teacher({ n: 20, inputs: 4, hidden: 6, noise: 0, activation: 'relu', seed: 2, dtype: 'float64' });
    const layers = d.teacher.layers.map((l) => ({ weight: rows(l.weight), bias: values(l.bias) }));
    const expected = teacherForward(rows(d.x), layers, (v) => Math.max(0, v));
    rows(d.y).forEach((row, i) => expect(row[0]).toBeCloseTo(expected[i][0], 12));
  });

  it('names a bad activation and the valid ones', () => {
    // @ts-expect-error: not a teacher activation
    expect(() => teacher({ activation: 'gelu' })).toThrow(/activation must be one of 'tanh', 'relu', 'sigmoid', 'linear', got 'gelu'/);
    expect(() => teacher({ hidden: [4, 0] })).toThrow(/hidden\[1\] must be an integer ≥ 1, got 0/);
  });
});

describe('synthetic sets are reproducible from the seed', () => {
  const makers = {
    xor: (seed: number) => xor({ n: 64, seed }),
    twoSpirals: (seed: number) => twoSpirals({ n: 64, noise: 0.1, seed }),
    blobs: (seed: number) => blobs({ n: 64, k: 3, seed }),
    teacher: (seed: number) => teacher({ n: 64, inputs: 3, seed }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: same seed gives identical data bit for bit, another seed different data`, () => {
      const a = make(1);
      const b = make(1);
      const c = make(2);
      expect(bitsEqual(a.x, b.x)).toBe(true);
      expect(bitsEqual(a.y, b.y)).toBe(true);
      expect(bitsEqual(a.x, c.x)).toBe(false);
    });
  }

  it('draws from the default generator when no seed is given, so manualSeed reproduces it', () => {
    manualSeed(42);
    const a = twoSpirals({ n: 32, noise: 0.1 });
    manualSeed(42);
    const b = twoSpirals({ n: 32, noise: 0.1 });
    expect(bitsEqual(a.x, b.x)).toBe(true);
  });

  it('advances a given generator, so two calls differ', () => {
    const g = new Generator(3);
    const a = xor({ n: 16, generator: g });
    const b = xor({ n: 16, generator: g });
    expect(bitsEqual(a.x, b.x)).toBe(false);
    expect(bitsEqual(a.x, xor({ n: 16, generator: new Generator(3) }).x)).toBe(true);
  });

  it('rejects seed and generator together, a fractional seed and unknown options', () => {
    expect(() => xor({ seed: 1, generator: new Generator(1) })).toThrowWith(ArgumentError, /either seed or generator/);
    expect(() => xor({ seed: 1.5 })).toThrowWith(ArgumentError, /seed must be an integer, got 1.5/);
    // @ts-expect-error: a typo of 'noise'
    expect(() => xor({ noize: 0.2 })).toThrow(/unknown option 'noize' \(did you mean 'noise'\?\); the options are n, noise/);
    expect(() => xor({ n: 0 })).toThrow(/n must be an integer ≥ 1, got 0/);
  });

  it('makes float64 data on request', () => {
    expect(blobs({ n: 4, seed: 1, dtype: 'float64' }).x.dtype).toBe('float64');
    expect(xor({ n: 4, seed: 1 }).x.dtype).toBe('float32');
  });
});
