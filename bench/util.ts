// Timing helpers shared by the benchmark scripts: warm up, then take the median of repeated
// timed runs. Comparisons interleave their contenders so machine noise hits both alike.

export function now(): number {
  return performance.now();
}

/** Median milliseconds per call of `fn`, after at least `warmupMs` of warm-up. */
export function timeMs(fn: () => void, options: { warmupMs?: number; reps?: number; minMs?: number } = {}): number {
  return interleaved([fn], options)[0];
}

/**
 * Median ms per call of each function, measured in alternation: rep r runs every contender in
 * turn (in a rotating order), each for at least `minMs`. `clock` is wall time by default
 * (bench/cpu-time.ts passes CPU time); `stat: 'min'` reports the fastest sample instead.
 */
export function interleaved(
  fns: readonly (() => unknown)[],
  options: { warmupMs?: number; reps?: number; minMs?: number; clock?: () => number; stat?: 'median' | 'min' } = {},
): number[] {
  const warmupMs = options.warmupMs ?? 300;
  const reps = options.reps ?? 9;
  const minMs = options.minMs ?? 30;
  const clock = options.clock ?? now;
  for (const fn of fns) {
    const start = clock();
    let calls = 0;
    while (calls < 3 || clock() - start < warmupMs / fns.length) {
      fn();
      calls++;
    }
  }
  const samples: number[][] = fns.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (r + k) % fns.length;
      const fn = fns[i];
      let calls = 0;
      const start = clock();
      let elapsed = 0;
      while (calls < 1 || elapsed < minMs) {
        fn();
        calls++;
        elapsed = clock() - start;
      }
      samples[i].push(elapsed / calls);
    }
  }
  return samples.map((s) => (options.stat === 'min' ? Math.min(...s) : median(s)));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Print rows as an aligned table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
