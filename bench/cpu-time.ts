// CPU-time measurement for benchmarks on a shared machine. Wall time counts the periods in which
// other processes hold the core; process.cpuUsage() (user + system time of this process) does
// not, so on a 2-vCPU machine shared by many processes it is far steadier. Only meaningful for
// single-threaded work (a second thread's time would be added in).

import { interleaved } from './util';

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
 * Median (or fastest) CPU ms per call of each function, measured in alternation (the shared
 * harness in bench/util.ts, timed with this process's CPU time).
 */
export function interleavedCpu(fns: readonly (() => unknown)[], options: CpuTimingOptions = {}): number[] {
  return interleaved(fns, { warmupMs: options.warmupMs, reps: options.reps, minMs: options.minMs ?? 20, stat: options.stat, clock: cpuMs });
}
