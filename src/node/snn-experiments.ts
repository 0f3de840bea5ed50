// Node-only: run the spiking and binarized experiments from the command line and write their
// results (results.json, summary.txt, loss.svg) to a folder. `surrograd snn ...` calls this.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  binarizedMnist, experimentLossChart, formatExperimentTable, spikingMnist, spikingToy,
  type ExperimentProgress, type ExperimentResult,
} from './spiking';
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
 * The rows of several results of one experiment with the same settings (runs of different rules
 * in parallel processes, say) as one result, rows in the order given. Results of different
 * experiments or settings are refused, naming what differs.
 */
export function mergeExperiments(results: readonly ExperimentResult[]): ExperimentResult {
  if (results.length === 0) throw new ArgumentError('mergeExperiments: expected at least one result');
  const [first] = results;
  for (const [i, r] of results.entries()) {
    if (r.experiment !== first.experiment) throw new ArgumentError(`mergeExperiments: result ${i} is '${r.experiment}' but result 0 is '${first.experiment}'`);
    const keys = [...new Set([...Object.keys(first.config), ...Object.keys(r.config)])];
    const differ = keys.filter((k) => JSON.stringify(first.config[k]) !== JSON.stringify(r.config[k]));
    if (differ.length > 0) throw new ArgumentError(`mergeExperiments: result ${i} was run with other settings than result 0 (${differ.join(', ')}); only runs with the same settings merge into one table`);
  }
  const rows = results.flatMap((r) => r.rows);
  const names = rows.map((r) => r.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ArgumentError(`mergeExperiments: the row '${twice}' is in more than one result`);
  return { ...first, rows };
}

/** The help text of `surrograd snn`. */
export const SNN_HELP = `Usage: surrograd snn EXPERIMENT [flags]

Experiments:
  mnist       spiking MNIST: 784-1000-10 LIF (β 0.95, 25 steps, the image as a constant current,
              Adam 5e-4, batch 128, 1 epoch), one row per heaviside rule, and 'exact'
  toy         100 Poisson inputs at 5 Hz, 200 steps, 4 hidden LIF units, 2 readouts, random labels
              (batch 256, Adam 2e-3, 1000 iterations): exact vs fastSigmoid(100) vs atan
  binarized   BinaryNet-style MLP and CNN on MNIST with each sign rule, and full precision

  merge       surrograd snn merge --out DIR DIR1 DIR2 ...: the rows of several results folders of
              one experiment run with the same settings (e.g. one rule per process) as one table

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
