// `surrograd tune`: the command-line face of tuneRules (src/cli.ts dispatches here).
//
//   surrograd tune --dataset mnist --activation relu --depth 4 --width 64 --init kaiming --bias-init -1 \
//     --rules 'exact,sigmoid,leaky,sigmoidShaped(k=0.5|2),fastSigmoid(slope=1|4)' --lr 0.1,0.03 \
//     --epochs 1 --seeds 3 --workers 2 --out runs/tune-relu
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import { listActivations } from '../activations/registry';
import type { ActivationName } from '../activations/names';
import { DATASET_NAMES, isDatasetName } from '../experiment/datasets';
import { INIT_NAMES, type InitName } from '../experiment/model';
import { formatTuneTable, tuneRules, writeTuneResults, type SearchSpace, type TuneMetric, type TuneOptions } from './tune';
import type { TuneOptimizer } from './tune-trial';
import { type Flag, UsageError } from './usage';


const FLAGS: readonly Flag[] = [
  { name: 'dataset', value: 'NAME', help: `${DATASET_NAMES.join(' | ')} (default mnist)` },
  { name: 'activation', value: 'NAME', help: 'the hidden activation (default relu)' },
  { name: 'depth', value: 'N', help: 'hidden layers (default 4)' },
  { name: 'width', value: 'N', help: 'units per hidden layer (default 64)' },
  {
    name: 'rules',
    value: 'LIST',
    help: "comma-separated candidates: rule names, or factories with values separated by | such as sigmoidShaped(k=0.5|1|2) (default 'exact')",
  },
  { name: 'lr', value: 'LIST', help: 'comma-separated learning rates, each crossed with every rule (default 0.1)' },
  { name: 'epochs', value: 'N', help: 'epochs per trial (default 1)' },
  { name: 'seeds', value: 'N', help: 'rounds of halving, one new seed each (default 3)' },
  { name: 'seed', value: 'N', help: 'the first seed (default 1)' },
  { name: 'metric', value: 'NAME', help: 'testAccuracy (default) | testLoss' },
  { name: 'workers', value: 'N', help: 'worker threads (default: one per core)' },
  { name: 'optimizer', value: 'NAME', help: 'sgd (default) | momentum | adam' },
  { name: 'batch-size', value: 'N', help: 'examples per step (default 64)' },
  { name: 'train-size', value: 'N', help: 'training examples' },
  { name: 'test-size', value: 'N', help: 'test examples' },
  { name: 'data-seed', value: 'N', help: 'seed of the split and of synthetic data (default 0)' },
  { name: 'init', value: 'NAME', help: `${INIT_NAMES.join(' | ')} (default: PyTorch's)` },
  { name: 'init-gain', value: 'X', help: 'gain of xavier or kaiming' },
  { name: 'bias-init', value: 'X', help: 'every hidden bias starts at X' },
  { name: 'out', value: 'DIR', help: 'where tune.json and tune.svg go (default runs/tune-<time>)' },
  { name: 'no-progress', help: 'no progress bar' },
  { name: 'help', help: 'show this help' },
];

export function tuneHelp(): string {
  const rows = FLAGS.map((f) => [`--${f.name}${f.value === undefined ? '' : ` ${f.value}`}`, f.help]);
  const width = Math.max(...rows.map(([l]) => l.length));
  return `Usage: surrograd tune [flags]

Searches backward rules × parameter values × learning rates for an MLP by successive halving over
seeds: every candidate trains on the first seed, the better half (by mean test accuracy over the
seeds so far) on the next, and so on. For one seed every trial starts from the same initial weights
and sees the same batches. Trials run in parallel on worker threads; the results depend on the
seeds only. A trial whose loss becomes NaN is recorded as diverged and ranked last.

Flags:
${rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`).join('\n')}

Example:
  surrograd tune --dataset mnist --activation relu --depth 4 --init kaiming --bias-init -1 \\
    --rules 'exact,sigmoid,leaky,sigmoidShaped(k=0.5|2)' --lr 0.1 --epochs 1 --seeds 3
`;
}

function parse(args: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new UsageError(`surrograd tune: unexpected argument '${arg}'; flags start with --`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const flag = FLAGS.find((f) => f.name === name);
    if (flag === undefined) throw new UsageError(`surrograd tune: unknown flag '--${name}'; the flags are: ${FLAGS.map((f) => `--${f.name}`).join(', ')}`);
    if (out.has(name)) throw new UsageError(`surrograd tune: --${name} is given twice`);
    if (flag.value === undefined) {
      if (eq >= 0) throw new UsageError(`surrograd tune: --${name} is a switch and takes no value`);
      out.set(name, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') throw new UsageError(`surrograd tune: --${name} needs a value (${flag.value})`);
    out.set(name, value);
  }
  return out;
}

function num(p: Map<string, string | true>, name: string, integer: boolean, min?: number): number | undefined {
  const raw = p.get(name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || (min !== undefined && v < min)) {
    throw new UsageError(`surrograd tune: --${name} must be ${integer ? 'an integer' : 'a number'}${min === undefined ? '' : ` ≥ ${min}`}, got '${String(raw)}'`);
  }
  return v;
}

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts.filter((s) => s !== '');
}

/** `sigmoidShaped(k=0.5|2)` → { factory, params: { k: [0.5, 2] } }; a bare name stays a name. */
export function parseRuleRange(text: string): SearchSpace['rules'][number] {
  const m = /^(\w+)\((.*)\)$/.exec(text);
  if (m === null) {
    if (!/^\w+$/.test(text)) throw new UsageError(`surrograd tune: '${text}' is not a rule name or factory(param=v1|v2)`);
    return text;
  }
  const params: Record<string, number[]> = {};
  for (const part of m[2].split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const kv = /^(\w+)=(.+)$/.exec(part);
    if (kv === null) throw new UsageError(`surrograd tune: in '${text}', '${part}' is not name=value|value`);
    const values = kv[2].split('|').map(Number);
    if (values.some((v) => !Number.isFinite(v))) throw new UsageError(`surrograd tune: in '${text}', '${kv[2]}' is not numbers separated by |`);
    params[kv[1]] = values;
  }
  return { factory: m[1], params };
}

/** The TuneOptions a command line stands for. */
export function tuneOptionsFromArgs(args: readonly string[]): { options: TuneOptions; out: string | undefined; progress: boolean } | 'help' {
  const p = parse(args);
  if (p.has('help')) return 'help';
  const dataset = String(p.get('dataset') ?? 'mnist');
  if (!isDatasetName(dataset)) throw new UsageError(`surrograd tune: unknown dataset '${dataset}'; choose one of: ${DATASET_NAMES.join(', ')}`);
  const activation = String(p.get('activation') ?? 'relu');
  if (!listActivations().includes(activation)) throw new UsageError(`surrograd tune: unknown activation '${activation}'`);
  const init = String(p.get('init') ?? 'default');
  if (!(INIT_NAMES as readonly string[]).includes(init)) throw new UsageError(`surrograd tune: --init must be one of ${INIT_NAMES.join(', ')}`);
  const optimizer = String(p.get('optimizer') ?? 'sgd');
  if (!['sgd', 'momentum', 'adam'].includes(optimizer)) throw new UsageError('surrograd tune: --optimizer must be sgd, momentum or adam');
  const metric = String(p.get('metric') ?? 'testAccuracy');
  if (metric !== 'testAccuracy' && metric !== 'testLoss') throw new UsageError('surrograd tune: --metric must be testAccuracy or testLoss');
  const lrs = String(p.get('lr') ?? '0.1').split(',').map(Number);
  if (lrs.some((v) => !(Number.isFinite(v) && v > 0))) throw new UsageError(`surrograd tune: --lr must list positive numbers, got '${String(p.get('lr'))}'`);
  const options: TuneOptions = {
    dataset,
    datasetOptions: { trainSize: num(p, 'train-size', true, 1), testSize: num(p, 'test-size', true, 1), seed: num(p, 'data-seed', true, 0) ?? 0 },
    activation: activation as ActivationName,
    depth: num(p, 'depth', true, 0) ?? 4,
    width: num(p, 'width', true, 1) ?? 64,
    init: init as InitName,
    initGain: num(p, 'init-gain', false),
    biasInit: num(p, 'bias-init', false),
    optimizer: optimizer as TuneOptimizer,
    batchSize: num(p, 'batch-size', true, 1),
    epochs: num(p, 'epochs', true, 1) ?? 1,
    seeds: num(p, 'seeds', true, 1) ?? 3,
    seed: num(p, 'seed', true, 0) ?? 1,
    metric: metric as TuneMetric,
    workers: num(p, 'workers', true, 0),
    space: { rules: splitTop(String(p.get('rules') ?? 'exact')).map(parseRuleRange), lrs },
  };
  for (const key of Object.keys(options) as (keyof TuneOptions)[]) if (options[key] === undefined) delete options[key];
  const out = p.get('out');
  return { options, out: typeof out === 'string' ? out : undefined, progress: !p.has('no-progress') };
}

/** Trials a search runs at most: n, then ⌈n/2⌉, ... for `seeds` rounds (fewer if one is left). */
function maxTrials(candidates: number, seeds: number): number {
  let total = 0;
  let alive = candidates;
  for (let r = 0; r < seeds; r++) {
    total += alive;
    if (alive === 1) break;
    alive = Math.ceil(alive / 2);
  }
  return total;
}

/** Run `surrograd tune`; returns the exit code. */
export async function runTuneCommand(
  args: readonly string[],
  io: { stdout: (text: string) => void; stderr: NodeJS.WritableStream & { isTTY?: boolean } },
): Promise<number> {
  const parsed = tuneOptionsFromArgs(args);
  if (parsed === 'help') {
    io.stdout(tuneHelp());
    return 0;
  }
  const { options } = parsed;
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const out = parsed.out ?? path.join('runs', `tune-${stamp}`);
  let bar: SingleBar | null = null;
  const result = await tuneRules({
    ...options,
    onProgress: parsed.progress
      ? (e) => {
          if (bar === null) {
            const candidates = e.total; // round 0 runs every candidate
            bar = new SingleBar({
              stream: io.stderr,
              format: 'tune |{bar}| {value}/{total} trials | round {round}/{rounds} | ETA {eta_formatted}',
              barsize: 24,
              noTTYOutput: true,
              notTTYSchedule: 5000,
              hideCursor: io.stderr.isTTY === true,
            });
            bar.start(maxTrials(candidates, e.rounds), 0, { round: 1, rounds: e.rounds });
          }
          bar.update(e.trialsDone, { round: e.round + 1, rounds: e.rounds });
          if (io.stderr.isTTY !== true) bar.render();
        }
      : undefined,
  }).finally(() => (bar as SingleBar | null)?.stop());
  const files = writeTuneResults(result, out);
  io.stdout(`${formatTuneTable(result)}\n\n`);
  io.stdout(
    `${result.trials} trials, ${result.trialEpochs} trial-epochs, ${result.seconds.toFixed(1)} s on ${result.config.workers} worker(s). ` +
      `Written: ${files.json}, ${files.svg}\n`,
  );
  return 0;
}
