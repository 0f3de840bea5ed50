// Node-only: run the spiking and binarized experiments from the command line and write their
// results (results.json, summary.txt, loss.svg) to a folder. `surrograd snn ...` calls this.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  binarizedMnist, experimentLossChart, formatExperimentTable, spikingMnist, spikingToy,
  type ExperimentProgress, type ExperimentResult, type ExperimentRow,
} from './spiking';
import type { MeanSd } from '../experiment/stats';
import { chartSvg } from '../experiment/svg';
import { ArgumentError } from '../errors';

/** The files one experiment wrote. */
export interface ExperimentFiles {
  /** The folder written to. */
  dir: string;
  /** The path of results.json. */
  json: string;
  /** The path of summary.txt (the table). */
  summary: string;
  /** The path of loss.svg (the loss curves). */
  loss: string;
}

/** The result as JSON text; NaN and ±Infinity become null. */
export function experimentJson(result: ExperimentResult): string {
  return `${JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 1)}\n`;
}

/** Write results.json, summary.txt (the table) and loss.svg to `dir` (made if needed). */
export function writeExperiment(result: ExperimentResult, dir: string): ExperimentFiles {
  fs.mkdirSync(dir, { recursive: true });
  const files: ExperimentFiles = {
    dir,
    json: path.join(dir, 'results.json'),
    summary: path.join(dir, 'summary.txt'),
    loss: path.join(dir, 'loss.svg'),
  };
  fs.writeFileSync(files.json, experimentJson(result));
  fs.writeFileSync(files.summary, `${formatExperimentTable(result)}\n`);
  fs.writeFileSync(files.loss, chartSvg(experimentLossChart(result)));
  return files;
}

/**
 * Mean ± sd of the union of groups known only by their (n, mean, sd): the pooled mean and the
 * sample standard deviation of all values, exactly as meanSd over the values would give.
 */
export function poolMeanSd(parts: readonly MeanSd[]): MeanSd {
  const counted = parts.filter((p) => p.n > 0 && !Number.isNaN(p.mean));
  const n = counted.reduce((a, p) => a + p.n, 0);
  if (n === 0) return { mean: Number.NaN, sd: null, n: 0 };
  const mean = counted.reduce((a, p) => a + p.n * p.mean, 0) / n;
  if (n < 2 || !Number.isFinite(mean)) return { mean, sd: null, n };
  // Σ (x − mean)² = Σ_groups [(n_g − 1)·sd_g² + n_g·(mean_g − mean)²]
  const ss = counted.reduce((a, p) => a + (p.n - 1) * (p.sd ?? 0) ** 2 + p.n * (p.mean - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

function sameSettings(a: ExperimentResult, b: ExperimentResult, i: number): void {
  if (b.experiment !== a.experiment) throw new ArgumentError(`mergeExperiments: result ${i} is '${b.experiment}' but result 0 is '${a.experiment}'`);
  const keys = [...new Set([...Object.keys(a.config), ...Object.keys(b.config)])].filter((k) => k !== 'seeds');
  const differ = keys.filter((k) => JSON.stringify(a.config[k]) !== JSON.stringify(b.config[k]));
  if (differ.length > 0) throw new ArgumentError(`mergeExperiments: result ${i} was run with other settings than result 0 (${differ.join(', ')}); only runs with the same settings merge into one table`);
}

function poolRecord(parts: readonly Record<string, MeanSd>[]): Record<string, MeanSd> {
  const keys = [...new Set(parts.flatMap((p) => Object.keys(p)))];
  return Object.fromEntries(keys.map((k) => [k, poolMeanSd(parts.flatMap((p) => (p[k] === undefined ? [] : [p[k]])))]));
}

/**
 * Several results of one experiment with the same settings as one: runs of different rules (one
 * per process, say) become one table, and runs of the same rule with other seeds are pooled into
 * one row (mean ± sd over all their seeds; the loss curve stays the first run's). Rows keep the
 * order in which they first appear. Results of different experiments or settings are refused,
 * naming what differs, and so is a seed that two results share for the same row.
 */
export function mergeExperiments(results: readonly ExperimentResult[]): ExperimentResult {
  if (results.length === 0) throw new ArgumentError('mergeExperiments: expected at least one result');
  const [first] = results;
  results.forEach((r, i) => sameSettings(first, r, i));
  const groups = new Map<string, { row: ExperimentRow; seeds: number[] }[]>();
  for (const r of results) {
    const seeds = r.config.seeds as readonly number[];
    for (const row of r.rows) {
      const list = groups.get(row.name) ?? [];
      const clash = list.find((g) => g.seeds.some((s) => seeds.includes(s)));
      if (clash !== undefined) throw new ArgumentError(`mergeExperiments: the row '${row.name}' is in more than one result with the same seed (seeds ${JSON.stringify(clash.seeds)} and ${JSON.stringify(seeds)})`);
      list.push({ row, seeds: [...seeds] });
      groups.set(row.name, list);
    }
  }
  const rows: ExperimentRow[] = [...groups.values()].map((list) => {
    const parts = list.map((g) => g.row);
    return {
      name: parts[0].name,
      accuracy: poolMeanSd(parts.map((p) => p.accuracy)),
      finalLoss: poolMeanSd(parts.map((p) => p.finalLoss)),
      seconds: poolMeanSd(parts.map((p) => p.seconds)),
      firingRates: poolRecord(parts.map((p) => p.firingRates)),
      silentFractions: poolRecord(parts.map((p) => p.silentFractions)),
      lossCurve: parts[0].lossCurve,
      perSeed: parts.flatMap((p) => p.perSeed),
    };
  });
  const seeds = [...new Set(results.flatMap((r) => r.config.seeds as readonly number[]))];
  return { ...first, config: { ...first.config, seeds }, rows };
}

/** The help text of `surrograd snn`. */
export const SNN_HELP = `Usage: surrograd snn EXPERIMENT [flags]

Experiments:
  mnist       spiking MNIST: 784-1000-10 LIF (β 0.95, 25 steps, the image as a constant current,
              Adam 5e-4, batch 128, 1 epoch), one row per heaviside rule, and 'exact'
  toy         100 Poisson inputs at 5 Hz, 200 steps, 4 hidden LIF units, 2 readouts, random labels
              (batch 256, Adam 2e-3, 1000 iterations): exact vs fastSigmoid(100) vs atan
  binarized   BinaryNet-style MLP and CNN on MNIST with each sign rule, and full precision

  merge       surrograd snn merge --out DIR DIR1 DIR2 ...: several results folders of one experiment
              run with the same settings (one rule or seed per process) as one table: rows of
              different rules side by side, other seeds of the same rule pooled (mean ± sd)

Flags (--flag VALUE or --flag=VALUE):
  --loss KIND         mnist: count (CE of output spike counts, default) or membrane (Σ_t CE(U[t]))
  --seeds LIST        comma-separated integer seeds (default 1,2,3)
  --rules LIST        rows to run (default: all of the experiment's)
  --train-size N      training digits (mnist, binarized; default 8000)
  --test-size N       test digits (mnist, binarized; default 2000)
  --epochs N          passes over the training digits (mnist default 1, binarized 3)
  --iterations N      training iterations (toy; default 1000)
  --hidden N          hidden units (mnist 1000, toy 4, binarized MLP 256)
  --nets LIST         binarized: mlp, cnn or mlp,cnn (default mlp,cnn)
  --steps N           time steps (mnist 25, toy 200)
  --out DIR           results folder (default runs/snn-EXPERIMENT-<time>)
  --no-progress       no progress lines on stderr
`;

const FLAGS = ['loss', 'seeds', 'rules', 'nets', 'train-size', 'test-size', 'epochs', 'iterations', 'hidden', 'steps', 'out', 'no-progress', 'help'];

/** What the command needs of its surroundings: where to print (results) and report (progress). */
export interface SnnCommandIO {
  /** Prints the results and the help text. */
  stdout: (text: string) => void;
  /** Where progress lines and errors are written. */
  stderr: {
    /** Writes `text` as is (no newline added). */
    write: (text: string) => unknown;
  };
}

function parse(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!FLAGS.includes(name)) throw new Error(`unknown flag --${name}; the flags are ${FLAGS.map((f) => `--${f}`).join(', ')}`);
    if (name === 'no-progress' || name === 'help') {
      flags.set(name, 'true');
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

function int(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${v}'`);
  return n;
}

/**
 * `surrograd snn EXPERIMENT [flags]`: runs, prints the table, writes the files; returns the exit
 * code (0 done, 1 failed while running, 2 a usage error).
 */
export function runSnnCommand(args: readonly string[], io: SnnCommandIO): number {
  const [experiment, ...rest] = args;
  if (experiment === undefined || experiment === '--help' || experiment === '-h' || rest.includes('--help')) {
    io.stdout(SNN_HELP);
    return 0;
  }
  if (experiment === 'merge') return mergeCommand(rest, io);
  let flags: Map<string, string>;
  let seeds: number[] | undefined;
  try {
    if (!['mnist', 'toy', 'binarized'].includes(experiment)) throw new Error(`unknown experiment '${experiment}'; choose mnist, toy or binarized`);
    flags = parse(rest);
    const s = flags.get('seeds');
    if (s !== undefined) {
      seeds = s.split(',').map(Number);
      if (seeds.some((v) => !Number.isInteger(v))) throw new Error(`--seeds must be comma-separated integers, got '${s}'`);
    }
  } catch (e) {
    io.stderr.write(`surrograd snn: ${(e as Error).message}\nRun 'surrograd snn --help' for the flags.\n`);
    return 2;
  }
  const rules = flags.get('rules')?.split(',');
  let last = 0;
  const onProgress: ExperimentProgress | undefined = flags.has('no-progress')
    ? undefined
    : (e) => {
        const t = Date.now();
        if (e.step === e.steps || t - last > 2000) {
          last = t;
          io.stderr.write(`  ${e.row} seed ${e.seed}: step ${e.step}/${e.steps}, loss ${e.loss.toFixed(4)}\n`);
        }
      };
  try {
    const out = flags.get('out') ?? path.join('runs', `snn-${experiment}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    // the files are written after every row, so a run cut short keeps the rows it finished
    const onRow = (partial: ExperimentResult): void => void writeExperiment(partial, out);
    const common = { seeds, rules, onProgress, onRow };
    let result: ExperimentResult;
    if (experiment === 'mnist') {
      const loss = flags.get('loss') ?? 'count';
      if (loss !== 'count' && loss !== 'membrane') throw new Error(`--loss must be count or membrane, got '${loss}'`);
      result = spikingMnist({ ...common, loss, trainSize: int(flags, 'train-size'), testSize: int(flags, 'test-size'), epochs: int(flags, 'epochs'), hidden: int(flags, 'hidden'), steps: int(flags, 'steps') });
    } else if (experiment === 'toy') {
      result = spikingToy({ ...common, iterations: int(flags, 'iterations'), hidden: int(flags, 'hidden'), steps: int(flags, 'steps') });
    } else {
      const nets = (flags.get('nets') ?? 'mlp,cnn').split(',');
      if (!nets.every((n): n is 'mlp' | 'cnn' => n === 'mlp' || n === 'cnn')) throw new Error(`--nets must be mlp, cnn or mlp,cnn, got '${flags.get('nets') ?? ''}'`);
      result = binarizedMnist({ ...common, nets, trainSize: int(flags, 'train-size'), testSize: int(flags, 'test-size'), epochs: int(flags, 'epochs'), hidden: int(flags, 'hidden') });
    }
    const files = writeExperiment(result, out);
    io.stdout(`${formatExperimentTable(result)}\n\nResults in ${files.dir}/: results.json, summary.txt, loss.svg\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`surrograd snn: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** `surrograd snn merge --out DIR DIR1 DIR2 ...`. */
function mergeCommand(args: readonly string[], io: SnnCommandIO): number {
  const dirs: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') out = args[++i];
    else if (args[i].startsWith('--out=')) out = args[i].slice('--out='.length);
    else if (args[i].startsWith('--')) {
      io.stderr.write(`surrograd snn merge: unknown flag ${args[i]}; usage: surrograd snn merge --out DIR DIR1 DIR2 ...\n`);
      return 2;
    } else dirs.push(args[i]);
  }
  if (out === undefined || dirs.length === 0) {
    io.stderr.write('surrograd snn merge: usage: surrograd snn merge --out DIR DIR1 DIR2 ... (results folders written by surrograd snn)\n');
    return 2;
  }
  try {
    // results.json writes NaN (a statistic with no value) as null: read it back as NaN
    const revive = (key: string, value: unknown): unknown => (key === 'mean' && value === null ? Number.NaN : value);
    const results = dirs.map((d) => JSON.parse(fs.readFileSync(path.join(d, 'results.json'), 'utf8'), revive) as ExperimentResult);
    const files = writeExperiment(mergeExperiments(results), out);
    io.stdout(`${fs.readFileSync(files.summary, 'utf8')}\nResults in ${files.dir}/: results.json, summary.txt, loss.svg\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`surrograd snn merge: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
