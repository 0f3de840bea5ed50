// CPU-time measurement for benchmarks on a shared machine. Wall time counts the periods in which
// other processes hold the core; process.cpuUsage() (user + system time of this process) does
// not, so on a 2-vCPU machine shared by many processes it is far steadier. Only meaningful for
// single-threaded work (a second thread's time would be added in).

/** CPU milliseconds (user + system) this process has used so far. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface CpuTimingOptions {
  /** CPU ms of warm-up per contender (default 300). */
  warmupMs?: number;
  /** Samples per contender (default 9). */
  reps?: number;
  /** Each sample repeats the call until it has used this many CPU ms (default 20). */
  minMs?: number;
  /**
   * Which sample to report per contender: 'median' (default) or 'min', the fastest sample, which
   * on a crowded machine is the best estimate of what the code does when it has a core (cache
   * and frequency interference from neighbours only ever slow a sample down).
   */
  stat?: 'median' | 'min';
}

/**
 * Median (or fastest) CPU ms per call of each function, measured in alternation: sample r runs every
 * contender in turn (rotating the order), so slow periods hit all of them alike.
 */
export function interleavedCpu(fns: readonly (() => unknown)[], options: CpuTimingOptions = {}): number[] {
  const warmupMs = options.warmupMs ?? 300;
  const reps = options.reps ?? 9;
  const minMs = options.minMs ?? 20;
  for (const fn of fns) {
    const start = cpuMs();
    let calls = 0;
    while (calls < 3 || cpuMs() - start < warmupMs / fns.length) {
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
      const start = cpuMs();
      let elapsed = 0;
      while (calls < 1 || elapsed < minMs) {
        fn();
        calls++;
        elapsed = cpuMs() - start;
      }
      samples[i].push(elapsed / calls);
    }
  }
  return samples.map((s) => {
    const sorted = [...s].sort((a, b) => a - b);
    if (options.stat === 'min') return sorted[0];
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  });
}
