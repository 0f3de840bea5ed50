// The `surrograd` command.
//
//   surrograd compare --dataset mnist --activation sigmoid --depth 10 --width 64 \
//     --rules exact,floorAdded,peakNormalised --optimizer sgd --lr 0.1 --epochs 3 --seeds 1,2,3
//   surrograd rules [activation]
//   surrograd --help
//
// `main(argv)` returns the exit code (0 done, 1 failed while running, 2 a usage error) so tests
// can call it; run as a program (`npx ts-node src/cli.ts ...`, or the built bin) it sets the
// process's exit code. The flags are one table below, which the parser and --help both read.
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import { listActivations, listRules } from './activations/registry';
import { isRule, type RuleChoice } from './activations/rule';
import * as rules from './activations/rules';
import type { ActivationName } from './activations/names';
import { compareRules, writeResults } from './node';
import { DATASET_NAMES, isDatasetName } from './experiment/datasets';
import { ARCH_NAMES, INIT_NAMES, type ArchName, type InitName } from './experiment/model';
import { formatTable } from './experiment/report';
import { OPTIMIZER_NAMES, type CompareOptions, type OptimizerName, type ProgressEvent } from './experiment/types';
import { runTuneCommand, tuneHelp } from './node/tune-cli';
import { type Flag, UsageError } from './node/usage';
import { runSnnCommand } from './node/snn-experiments';

/** Where the command writes: stdout for results, stderr for progress and errors. */
export interface CliIO {
  stdout: (text: string) => void;
  /** A stream (the progress bar draws on it). */
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const defaultIO = (): CliIO => ({ stdout: (text) => process.stdout.write(text), stderr: process.stderr });

export { UsageError };

// ---------------------------------------------------------------------------------------------
// The flags of `compare`
// ---------------------------------------------------------------------------------------------

const COMPARE_FLAGS: readonly Flag[] = [
  { name: 'dataset', value: 'NAME', help: `${DATASET_NAMES.join(' | ')} (default mnist)` },
  { name: 'activation', value: 'NAME', help: 'the hidden activation (default sigmoid); `surrograd rules` lists them' },
  { name: 'depth', value: 'N', help: 'hidden layers, each Linear → [BatchNorm1d] → activation (default 10)' },
  { name: 'width', value: 'N', help: 'units per hidden layer (default 64)' },
  {
    name: 'arch',
    value: 'NAME',
    help: 'mlp | cnn (default mlp); cnn reads each input as an image and puts conv blocks (Conv2d 3×3 → [BatchNorm2d] → activation → MaxPool2d 2) before the hidden layers',
  },
  { name: 'channels', value: 'LIST', help: 'cnn: comma-separated out channels, one conv block each (default 8,16)' },
  { name: 'image-shape', value: 'C,H,W', help: 'cnn: how an input is read as an image (default 1,28,28 for mnist, 1,s,s for s² inputs)' },
  {
    name: 'rules',
    value: 'LIST',
    help:
      'comma-separated backward rules of the activation, one row each (default exact); a name from ' +
      '`surrograd rules ACTIVATION`, or a factory with parameters such as floorAdded(c=0.05)',
  },
  { name: 'optimizer', value: 'NAME', help: `${OPTIMIZER_NAMES.join(' | ')} (default sgd; momentum = SGD with momentum 0.9)` },
  { name: 'lr', value: 'X', help: 'learning rate (default 0.1)' },
  { name: 'epochs', value: 'N', help: 'passes over the training set (default 3; the most, with --patience)' },
  {
    name: 'patience',
    value: 'N',
    help: 'early stopping: stop a run after N epochs without a rise of more than --min-delta in validation accuracy on held-out training examples (--validation)',
  },
  { name: 'validation', value: 'N', help: 'early stopping: hold N training examples out as the validation set (default: a fifth of them)' },
  { name: 'min-delta', value: 'X', help: 'early stopping: the smallest rise in validation accuracy that counts (default 0.002)' },
  { name: 'seeds', value: 'LIST', help: 'comma-separated integer seeds, one run per seed and rule (default 1)' },
  { name: 'batch-size', value: 'N', help: 'examples per training step (default 64)' },
  { name: 'train-size', value: 'N', help: 'training examples (default: mnist 8000, synthetic 800; iris is fixed)' },
  { name: 'test-size', value: 'N', help: 'test examples (default: mnist 2000, synthetic 200; iris is fixed)' },
  { name: 'data-seed', value: 'N', help: 'seed of the train/test split and of synthetic data (default 0)' },
  { name: 'init', value: 'NAME', help: `${INIT_NAMES.join(' | ')}: initial Linear weights (default: PyTorch's)` },
  { name: 'init-gain', value: 'X', help: 'gain of the xavier or kaiming initialisation (default 1 for xavier, √2 for kaiming)' },
  { name: 'bias-init', value: 'X', help: 'set every hidden bias to X at the start (e.g. -1 drives ReLU units dead)' },
  { name: 'batch-norm', help: 'BatchNorm1d after every hidden Linear' },
  { name: 'out', value: 'DIR', help: 'results folder: results.json, summary.txt, loss.svg, accuracy.svg, grad-norms.svg (default runs/compare-<time>)' },
  { name: 'no-progress', help: 'no progress bar' },
  { name: 'help', help: 'show this help' },
];

const TOP_HELP = `surrograd: compare backward rules (exact or artificial derivatives) on equal footing.

Usage:
  surrograd compare [flags]       train one MLP per rule and seed from the same initial weights on
                                  the same batches; print a table and write JSON + SVG plots
  surrograd rules [ACTIVATION]    list the activations, or one activation's backward rules
  surrograd tune [flags]          search rules × parameters × learning rates by successive halving
                                  over seeds, trials in parallel on worker threads
  surrograd help [COMMAND]        this help, or a command's
  surrograd snn EXPERIMENT        spiking / binarized experiments: mnist, toy, binarized
                                  (surrograd snn --help)

Example:
  surrograd compare --dataset mnist --activation sigmoid --depth 10 --width 64 \\
    --rules exact,floorAdded,peakNormalised --optimizer sgd --lr 0.1 --epochs 3 --seeds 1,2,3

Run \`surrograd compare --help\` for every flag.
`;

function compareHelp(): string {
  const rows = COMPARE_FLAGS.map((f) => [`--${f.name}${f.value === undefined ? '' : ` ${f.value}`}`, f.help]);
  const width = Math.max(...rows.map(([left]) => left.length));
  return (
    `Usage: surrograd compare [flags]

Trains an MLP (depth hidden layers of width units, the activation after each) once per backward
rule and seed. For one seed, every rule starts from the same initial weights and sees the same
batches in the same order, so the rule is the only difference. Prints, per rule, mean ± sd over
seeds of the final training loss, test accuracy, first/last-layer gradient ratio (‖∂L/∂W₁‖ /
‖∂L/∂W_L‖ on a reference batch: far below 1 means vanishing gradients), dead units (ReLU family:
input ≤ 0 for every sample of the reference batch) or saturated values (sigmoid |x| > 4, tanh
|x| > 2), and seconds per epoch.

Flags (--flag VALUE or --flag=VALUE):
${rows.map(([left, help]) => `  ${left.padEnd(width)}  ${wrap(help, 98 - width - 4).join(`\n${' '.repeat(width + 4)}`)}`).join('\n')}

Example:
  surrograd compare --dataset mnist --activation sigmoid --depth 10 --width 64 \\
    --rules exact,floorAdded,peakNormalised --optimizer sgd --lr 0.1 --epochs 3 --seeds 1,2,3
`
  );
}

/** Break text into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const RULES_HELP = `Usage: surrograd rules [ACTIVATION]

Without an argument, lists every activation with the names of its backward rules. With one,
lists that activation's rules with their descriptions ('exact' is the true derivative). Rule
factories that take parameters (use them in --rules as e.g. floorAdded(c=0.05)): ${factoryNames().join(', ')}.
`;

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

type Parsed = Map<string, string | true>;

function parseFlags(args: readonly string[], flags: readonly Flag[], command: string): Parsed {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const out: Parsed = new Map();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      throw new UsageError(`surrograd ${command}: unexpected argument '${arg}'; flags start with --. The flags are: ${flagList(flags)}`);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const flag = byName.get(name);
    if (flag === undefined) {
      throw new UsageError(`surrograd ${command}: unknown flag '--${name}'${suggest(name, flags)}. The flags are: ${flagList(flags)}`);
    }
    if (out.has(name)) throw new UsageError(`surrograd ${command}: --${name} is given twice`);
    if (flag.value === undefined) {
      if (eq >= 0) throw new UsageError(`surrograd ${command}: --${name} is a switch and takes no value`);
      out.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) value = args[++i];
    if (value === undefined || value === '') throw new UsageError(`surrograd ${command}: --${name} needs a value (${flag.value}): ${flag.help}`);
    out.set(name, value);
  }
  return out;
}

function flagList(flags: readonly Flag[]): string {
  return flags.map((f) => `--${f.name}`).join(', ');
}

/** " (did you mean --x?)" for a near miss. */
function suggest(name: string, flags: readonly Flag[]): string {
  const close = flags.map((f) => f.name).find((f) => editDistance(f, name) <= 2 || f.replace(/-/g, '') === name.replace(/[-_]/g, '').toLowerCase());
  return close === undefined ? '' : ` (did you mean --${close}?)`;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function integerFlag(parsed: Parsed, name: string, fallback: number | undefined, min: number): number | undefined {
  const raw = parsed.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`surrograd compare: --${name} must be an integer ≥ ${min}, got '${String(raw)}'`);
  }
  return value;
}

function numberFlag(parsed: Parsed, name: string, fallback: number | undefined, check?: (v: number) => boolean, what = 'a number'): number | undefined {
  const raw = parsed.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || (check !== undefined && !check(value))) {
    throw new UsageError(`surrograd compare: --${name} must be ${what}, got '${String(raw)}'`);
  }
  return value;
}

function choiceFlag<T extends string>(parsed: Parsed, name: string, fallback: T, choices: readonly T[]): T {
  const raw = parsed.get(name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly unknown[]).includes(raw)) {
    throw new UsageError(`surrograd compare: unknown ${name} '${String(raw)}'; choose one of: ${choices.join(', ')}`);
  }
  return raw as T;
}

/** The factories of the `rules` namespace that make a rule from numeric parameters. */
function factoryNames(): string[] {
  return Object.keys(rules).filter((k) => k !== 'blend' && k !== 'exact' && typeof (rules as Record<string, unknown>)[k] === 'function');
}

/**
 * One --rules entry: a rule name registered for the activation ('floorAdded'), or a factory with
 * parameters ('floorAdded(c=0.05)', 'sigmoidShaped(k=4)'), or a factory name with its defaults.
 */
export function parseRule(spec: string, activation: ActivationName): RuleChoice {
  const known = listRules(activation).map((r) => r.name);
  const match = /^([A-Za-z][A-Za-z0-9]*)(?:\((.*)\))?$/.exec(spec.trim());
  const unknown = (why: string): UsageError =>
    new UsageError(
      `surrograd compare: ${why}. The rules of ${activation} are: ${known.join(', ')}; ` +
        `factories taking parameters, as in floorAdded(c=0.05): ${factoryNames().join(', ')}`,
    );
  if (match === null) throw unknown(`cannot read the rule '${spec}'`);
  const [, name, paramText] = match;
  if (paramText === undefined && known.includes(name)) return name;
  const factory = factoryNames().includes(name) ? ((rules as Record<string, unknown>)[name] as (p?: Record<string, number>) => unknown) : undefined;
  if (factory === undefined) throw unknown(`unknown rule '${name}' for ${activation}`);
  const params: Record<string, number> = {};
  for (const part of (paramText ?? '').split(',').filter((p) => p.trim() !== '')) {
    const kv = /^\s*([A-Za-z]\w*)\s*=\s*([^\s]+)\s*$/.exec(part);
    const value = kv === null ? Number.NaN : Number(kv[2]);
    if (kv === null || !Number.isFinite(value)) throw new UsageError(`surrograd compare: in the rule '${spec}', '${part}' is not name=number`);
    params[kv[1]] = value;
  }
  try {
    const rule = factory(params);
    if (!isRule(rule)) throw new Error('not a rule');
    return rule;
  } catch (e) {
    throw new UsageError(`surrograd compare: the rule '${spec}' cannot be made: ${(e as Error).message}`);
  }
}

/** The CompareOptions a `compare` command line stands for, plus where to write and whether to show progress. */
export function compareOptionsFromArgs(args: readonly string[]): { options: CompareOptions; out: string | undefined; progress: boolean } | 'help' {
  const parsed = parseFlags(args, COMPARE_FLAGS, 'compare');
  if (parsed.has('help')) return 'help';
  const dataset = String(parsed.get('dataset') ?? 'mnist');
  if (!isDatasetName(dataset)) throw new UsageError(`surrograd compare: unknown dataset '${dataset}'; choose one of: ${DATASET_NAMES.join(', ')}`);
  const activation = String(parsed.get('activation') ?? 'sigmoid');
  if (!listActivations().includes(activation)) {
    throw new UsageError(`surrograd compare: unknown activation '${activation}'; choose one of: ${listActivations().join(', ')}`);
  }
  const act = activation as ActivationName;
  const ruleSpecs = splitList(String(parsed.get('rules') ?? 'exact'));
  if (ruleSpecs.length === 0) throw new UsageError('surrograd compare: --rules lists no rule');
  const seedsText = splitList(String(parsed.get('seeds') ?? '1'));
  const seeds = seedsText.map((s) => {
    if (!/^-?\d+$/.test(s)) throw new UsageError(`surrograd compare: --seeds must be comma-separated integers, got '${s}'`);
    return Number(s);
  });
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`surrograd compare: --seeds lists a seed twice: ${seedsText.join(',')}`);
  if (dataset === 'iris' && (parsed.has('train-size') || parsed.has('test-size'))) {
    throw new UsageError('surrograd compare: iris is always split 120 train / 30 test; leave out --train-size and --test-size');
  }
  const init = choiceFlag<InitName>(parsed, 'init', 'default', INIT_NAMES);
  const initGain = numberFlag(parsed, 'init-gain', undefined, (v) => v > 0, 'a positive number');
  if (initGain !== undefined && init === 'default') throw new UsageError('surrograd compare: --init-gain needs --init xavier or --init kaiming');
  const options: CompareOptions = {
    dataset,
    datasetOptions: {
      trainSize: integerFlag(parsed, 'train-size', undefined, 1),
      testSize: integerFlag(parsed, 'test-size', undefined, 1),
      seed: integerFlag(parsed, 'data-seed', 0, 0),
    },
    activation: act,
    depth: integerFlag(parsed, 'depth', 10, 0) as number,
    width: integerFlag(parsed, 'width', 64, 1) as number,
    rules: ruleSpecs.map((spec) => parseRule(spec, act)),
    optimizer: choiceFlag<OptimizerName>(parsed, 'optimizer', 'sgd', OPTIMIZER_NAMES),
    lr: numberFlag(parsed, 'lr', 0.1, (v) => v > 0, 'a positive number') as number,
    epochs: integerFlag(parsed, 'epochs', 3, 1) as number,
    seeds,
    batchSize: integerFlag(parsed, 'batch-size', 64, 1),
    batchNorm: parsed.has('batch-norm'),
    ...cnnFlags(parsed),
    init,
    initGain,
    biasInit: numberFlag(parsed, 'bias-init', undefined),
    ...earlyStoppingFlags(parsed),
  };
  if ((options.depth as number) === 0 && options.rules.length > 1 && options.arch !== 'cnn') {
    throw new UsageError('surrograd compare: with --depth 0 there is no hidden activation, so the rules cannot differ; use --depth 1 or more');
  }
  const out = parsed.get('out');
  return { options, out: typeof out === 'string' ? out : undefined, progress: !parsed.has('no-progress') };
}

/** --patience, --validation and --min-delta as CompareOptions' earlyStopping (none without --patience). */
function earlyStoppingFlags(parsed: Parsed): Pick<CompareOptions, 'earlyStopping'> {
  const patience = integerFlag(parsed, 'patience', undefined, 1);
  if (patience === undefined) {
    if (parsed.has('validation') || parsed.has('min-delta')) throw new UsageError('surrograd compare: --validation and --min-delta configure early stopping; add --patience N');
    return {};
  }
  const validation = integerFlag(parsed, 'validation', undefined, 1) ?? 0.2;
  const minDelta = numberFlag(parsed, 'min-delta', undefined, (v) => v >= 0, 'a number ≥ 0');
  return { earlyStopping: { validation, patience, ...(minDelta === undefined ? {} : { minDelta }) } };
}

/** --arch, --channels and --image-shape as CompareOptions fields (channels and image shape only with --arch cnn). */
function cnnFlags(parsed: Parsed): Pick<CompareOptions, 'arch' | 'channels' | 'imageShape'> {
  const arch = choiceFlag<ArchName>(parsed, 'arch', 'mlp', ARCH_NAMES);
  if (arch !== 'cnn') {
    if (parsed.has('channels') || parsed.has('image-shape')) throw new UsageError('surrograd compare: --channels and --image-shape need --arch cnn');
    return { arch };
  }
  const positive = (flag: string, text: string): number[] =>
    splitList(text).map((v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`surrograd compare: --${flag} must be comma-separated positive integers, got '${text}'`);
      return Number(v);
    });
  const out: Pick<CompareOptions, 'arch' | 'channels' | 'imageShape'> = { arch };
  const channels = parsed.get('channels');
  if (channels !== undefined) out.channels = positive('channels', String(channels));
  const image = parsed.get('image-shape');
  if (image !== undefined) {
    const dims = positive('image-shape', String(image));
    if (dims.length !== 3) throw new UsageError(`surrograd compare: --image-shape must be C,H,W, got '${String(image)}'`);
    out.imageShape = [dims[0], dims[1], dims[2]];
  }
  return out;
}

function splitList(text: string): string[] {
  // commas inside a factory's parentheses belong to it: floorAdded(c=0.1),sigmoidShaped(k=2)
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current.trim());
  return parts.filter((p) => p !== '');
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

function timestamp(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function fmtLoss(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

/** The progress bar on stderr: redrawn in place on a terminal, a line every few seconds otherwise. */
function progressReporter(io: CliIO): { onProgress: (e: ProgressEvent) => void; stop: () => void } {
  const tty = io.stderr.isTTY === true;
  const bar = new SingleBar({
    stream: io.stderr,
    format: '{rule} seed {seed} |{bar}| {percentage}% | epoch {epoch}/{epochs} | loss {loss} | test acc {acc} | ETA {eta_formatted}',
    barsize: 24,
    hideCursor: tty,
    noTTYOutput: true,
    notTTYSchedule: 5000,
    etaBuffer: 200,
  });
  let started = false;
  let lastLine = 0;
  return {
    onProgress: (e) => {
      const payload = {
        rule: e.rule,
        seed: e.seed,
        epoch: e.epoch,
        epochs: e.epochs,
        loss: fmtLoss(e.loss),
        acc: e.testAccuracy === null ? '—' : `${(e.testAccuracy * 100).toFixed(1)}%`,
      };
      if (!started) {
        bar.start(e.totalSteps, 0, payload);
        started = true;
        lastLine = Date.now();
      }
      bar.update(e.completedSteps, payload);
      // compareRules runs synchronously, so the bar's own timer never fires off a terminal:
      // write a line at each epoch's end and every few seconds
      if (!tty && (e.phase !== 'step' || Date.now() - lastLine > 5000)) {
        bar.render();
        lastLine = Date.now();
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

async function runCompare(args: readonly string[], io: CliIO): Promise<number> {
  const parsed = compareOptionsFromArgs(args);
  if (parsed === 'help') {
    io.stdout(compareHelp());
    return 0;
  }
  const { options, progress } = parsed;
  const out = parsed.out ?? path.join('runs', `compare-${timestamp()}`);
  const reporter = progress ? progressReporter(io) : null;
  let result;
  try {
    result = compareRules({ ...options, onProgress: reporter?.onProgress });
  } finally {
    reporter?.stop();
  }
  const files = writeResults(result, out);
  io.stdout(`${formatTable(result)}\n\n`);
  io.stdout(
    `Results in ${files.dir}/: results.json (everything), summary.txt (this table), ` +
      `loss.svg, accuracy.svg, grad-norms.svg (open them in a browser)\n`,
  );
  return 0;
}

function runRules(args: readonly string[], io: CliIO): number {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(RULES_HELP);
    return 0;
  }
  if (args.length > 1) throw new UsageError(`surrograd rules: takes at most one activation, got ${args.join(' ')}`);
  if (args.length === 0) {
    const names = listActivations();
    const width = Math.max(...names.map((n) => n.length));
    const lines = names.map((n) => `  ${n.padEnd(width)}  ${listRules(n as ActivationName).map((r) => r.name).join(', ')}`);
    io.stdout(`Activations and their backward rules ('exact' is the true derivative):\n${lines.join('\n')}\n\n${RULES_HELP.split('\n\n')[1]}`);
    return 0;
  }
  const activation = args[0];
  if (!listActivations().includes(activation)) {
    throw new UsageError(`surrograd rules: unknown activation '${activation}'; choose one of: ${listActivations().join(', ')}`);
  }
  const list = listRules(activation as ActivationName);
  const width = Math.max(...list.map((r) => r.name.length));
  io.stdout(`Backward rules of ${activation}:\n${list.map((r) => `  ${r.name.padEnd(width)}  ${r.exact ? '[exact] ' : ''}${r.description}`).join('\n')}\n`);
  return 0;
}

/** Run the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = defaultIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
        io.stdout(TOP_HELP);
        return 0;
      case 'help':
        if (rest[0] === 'compare') io.stdout(compareHelp());
        else if (rest[0] === 'rules') io.stdout(RULES_HELP);
        else if (rest[0] === 'tune') io.stdout(tuneHelp());
        else io.stdout(TOP_HELP);
        return 0;
      case 'compare':
        return await runCompare(rest, io);
      case 'rules':
        return runRules(rest, io);
      case 'tune':
        return await runTuneCommand(rest, io);
      case 'snn':
        return runSnnCommand(rest, io);
      default:
        throw new UsageError(`surrograd: unknown command '${command}'; the commands are compare, rules, tune, help`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      const help = command === 'rules' || command === 'tune' ? command : 'compare';
      io.stderr.write(`${e.message}\nRun 'surrograd ${help} --help' for the flags.\n`);
      return 2;
    }
    // a mistake the library caught while running (a rule that does not fit, a missing optional package)
    const message = e instanceof Error ? e.message : String(e);
    io.stderr.write(`surrograd: ${message}\n`);
    return 1;
  }
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
