// The page: controls ↔ configuration ↔ URL, messages to the training worker, and drawing what
// it sends back. All training happens in the worker (worker.ts); this thread only draws.
import { type ActivationName, listActivations, listRules } from 'surrograd';
import { barChart, drawBoundary, layerColor, lineChart } from './charts';
import { type Config, DATASETS, LIMITS, OPTIMIZERS, configToSearch, defaultConfig, parseConfig } from './config';
import type { FromWorker, ToWorker } from './protocol';
import { type RuleSpec, defaultParams, factoryFor } from './rules';
import { GRID, type Snapshot } from './trainer';

/** Snapshots kept for the charts over time. */
const HISTORY = 400;

const $ = <T extends HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`playground: the page has no #${id}`);
  return node as T;
};

const parsed = parseConfig(window.location.search);
let config: Config = parsed.config;
let playing = false;
let diverged = false;
let points: Extract<FromWorker, { type: 'data' }> | null = null;
let history: Snapshot[] = [];

const worker = new Worker('worker.js');
const send = (message: ToWorker): void => worker.postMessage(message);

// ---- messages and status ----

function showProblems(problems: string[]): void {
  const box = $('problems');
  if (problems.length === 0) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const list = document.createElement('ul');
  for (const p of problems) {
    const item = document.createElement('li');
    item.textContent = p;
    list.append(item);
  }
  box.replaceChildren(list);
  box.hidden = false;
}

function setStatus(text: string, isDiverged = false): void {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('diverged', isDiverged);
}

function setPlaying(on: boolean): void {
  playing = on;
  const button = $<HTMLButtonElement>('play');
  button.textContent = on ? 'Pause' : 'Play';
  button.setAttribute('aria-pressed', String(on));
}

// ---- controls ----

function fillSelect(select: HTMLSelectElement, values: readonly string[], labels?: (v: string) => string): void {
  select.replaceChildren(
    ...values.map((v) => {
      const option = document.createElement('option');
      option.value = v;
      option.textContent = labels?.(v) ?? v;
      return option;
    }),
  );
}

/** A rule chooser: a select of the activation's rules and a number input per parameter. */
function ruleEditor(host: HTMLElement, label: string, spec: RuleSpec | null, allowInherit: boolean, onChange: (spec: RuleSpec | null) => void): void {
  const activation = config.activation;
  host.replaceChildren();
  const row = document.createElement('label');
  row.textContent = label;
  const select = document.createElement('select');
  const rules = listRules(activation);
  fillSelect(select, [...(allowInherit ? ['*'] : []), ...rules.map((r) => r.name)], (v) =>
    v === '*' ? 'as all layers' : `${v}${rules.find((r) => r.name === v)?.exact === true ? ' (exact)' : ''}`,
  );
  select.value = spec === null ? '*' : spec.name;
  select.title = spec === null ? '' : (rules.find((r) => r.name === spec.name)?.description ?? '');
  row.append(select);
  host.append(row);
  const params = document.createElement('div');
  params.className = 'params';
  host.append(params);
  if (spec !== null && factoryFor(activation, spec.name) !== undefined) {
    const defaults = defaultParams(activation, spec.name);
    for (const key of Object.keys(defaults)) {
      const p = document.createElement('label');
      p.textContent = key;
      const input = document.createElement('input');
      input.type = 'number';
      input.step = 'any';
      input.value = String(spec.params[key] ?? defaults[key]);
      input.setAttribute('aria-label', `${label}: parameter ${key}`);
      input.addEventListener('change', () => {
        const value = Number(input.value);
        if (input.value.trim() === '' || !Number.isFinite(value) || value <= 0) {
          showProblems([`${key} must be a positive number; using the default ${defaults[key]}`]);
          input.value = String(defaults[key]);
          onChange({ name: spec.name, params: { ...spec.params, [key]: defaults[key] } });
          return;
        }
        onChange({ name: spec.name, params: { ...spec.params, [key]: value } });
      });
      p.append(input);
      params.append(p);
    }
  }
  select.addEventListener('change', () => {
    onChange(select.value === '*' ? null : { name: select.value, params: {} });
  });
}

function renderRules(): void {
  ruleEditor($('rule-all'), 'All layers', config.rule, false, (spec) => {
    config.rule = spec ?? { name: 'exact', params: {} };
    rulesChanged();
  });
  const layers = $('rule-layers');
  layers.replaceChildren();
  for (let i = 0; i < config.depth; i++) {
    const host = document.createElement('div');
    host.className = 'rule';
    host.dataset.layer = String(i + 1);
    layers.append(host);
    ruleEditor(host, `Layer ${i + 1}`, config.layerRules[i], true, (spec) => {
      config.layerRules[i] = spec;
      rulesChanged();
    });
  }
}

function rulesChanged(): void {
  renderRules();
  saveUrl();
  send({ type: 'rules', rule: config.rule, layerRules: config.layerRules });
}

function renderControls(): void {
  $<HTMLSelectElement>('dataset').value = config.dataset;
  $<HTMLInputElement>('noise').value = String(config.noise);
  $('noise-value').textContent = config.noise.toFixed(2);
  $<HTMLInputElement>('seed').value = String(config.seed);
  $<HTMLInputElement>('depth').value = String(config.depth);
  $<HTMLInputElement>('width').value = String(config.width);
  $<HTMLSelectElement>('activation').value = config.activation;
  $<HTMLInputElement>('lr').value = String(config.lr);
  $<HTMLSelectElement>('optimizer').value = config.optimizer;
  $<HTMLInputElement>('batch').value = String(config.batchSize);
  renderRules();
}

function saveUrl(): void {
  window.history.replaceState(null, '', `?${configToSearch(config)}`);
}

/** Read a number input; out of range or malformed: a message, and the default goes back in. */
function numberInput(id: string, limit: keyof typeof LIMITS, integer: boolean, fallback: number): number {
  const input = $<HTMLInputElement>(id);
  const value = Number(input.value);
  const { min, max } = LIMITS[limit];
  if (input.value.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    showProblems([`${input.labels?.[0]?.textContent?.trim() ?? id} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}; using the default ${fallback}`]);
    input.value = String(fallback);
    return fallback;
  }
  showProblems([]);
  return value;
}

/** Rebuild the network and data from `config` (weights start afresh); paused. */
function reset(): void {
  setPlaying(false);
  diverged = false;
  history = [];
  saveUrl();
  setStatus('Reset: press Play (or Space) to train.');
  send({ type: 'reset', config });
}

function togglePlay(): void {
  if (diverged) {
    setStatus('This run diverged: reset to start again.', true);
    $<HTMLButtonElement>('reset').focus();
    return;
  }
  setPlaying(!playing);
  send({ type: playing ? 'play' : 'pause' });
  if (!playing) setStatus('Paused: Space or Play to continue.');
}

function wireControls(): void {
  const defaults = defaultConfig();
  fillSelect($<HTMLSelectElement>('dataset'), DATASETS);
  fillSelect($<HTMLSelectElement>('activation'), listActivations());
  fillSelect($<HTMLSelectElement>('optimizer'), OPTIMIZERS);
  const onChange = (id: string, apply: () => void): void => $(id).addEventListener('change', apply);
  onChange('dataset', () => {
    config.dataset = $<HTMLSelectElement>('dataset').value as Config['dataset'];
    reset();
  });
  $('noise').addEventListener('input', () => {
    $('noise-value').textContent = Number($<HTMLInputElement>('noise').value).toFixed(2);
  });
  onChange('noise', () => {
    config.noise = Number($<HTMLInputElement>('noise').value);
    reset();
  });
  onChange('seed', () => {
    config.seed = numberInput('seed', 'seed', true, defaults.seed);
    reset();
  });
  onChange('depth', () => {
    const depth = numberInput('depth', 'depth', true, defaults.depth);
    config.layerRules = Array.from({ length: depth }, (_, i) => config.layerRules[i] ?? null);
    config.depth = depth;
    renderRules();
    reset();
  });
  onChange('width', () => {
    config.width = numberInput('width', 'width', true, defaults.width);
    reset();
  });
  onChange('activation', () => {
    config.activation = $<HTMLSelectElement>('activation').value as ActivationName;
    // the rules are the new activation's: start from its exact rule
    config.rule = { name: 'exact', params: {} };
    config.layerRules = new Array<RuleSpec | null>(config.depth).fill(null);
    renderRules();
    reset();
  });
  onChange('lr', () => {
    config.lr = numberInput('lr', 'lr', false, defaults.lr);
    saveUrl();
    send({ type: 'lr', lr: config.lr });
  });
  onChange('optimizer', () => {
    config.optimizer = $<HTMLSelectElement>('optimizer').value as Config['optimizer'];
    saveUrl();
    send({ type: 'optimizer', optimizer: config.optimizer });
  });
  onChange('batch', () => {
    config.batchSize = numberInput('batch', 'batchSize', true, defaults.batchSize);
    reset();
  });
  $('play').addEventListener('click', togglePlay);
  $('step').addEventListener('click', () => {
    if (diverged) return togglePlay();
    setPlaying(false);
    setStatus('Paused: one step at a time.');
    send({ type: 'step' });
  });
  $('reset').addEventListener('click', reset);
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'SUMMARY'].includes(target.tagName)) return;
    if (e.key === ' ') {
      e.preventDefault();
      togglePlay();
    } else if (e.key === 's' || e.key === 'S') {
      $<HTMLButtonElement>('step').click();
    } else if (e.key === 'r' || e.key === 'R') {
      reset();
    }
  });
}

// ---- drawing ----

function draw(snapshot: Snapshot): void {
  drawBoundary($<HTMLCanvasElement>('boundary'), snapshot.grid, GRID, points?.extent ?? 1.5, points?.train ?? null, points?.test ?? null);
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  $('metrics').textContent =
    `step ${snapshot.step} (epoch ${snapshot.epoch.toFixed(1)}) · loss train ${snapshot.trainLoss.toFixed(4)}, test ${snapshot.testLoss.toFixed(4)}` +
    ` · accuracy train ${pct(snapshot.trainAccuracy)}, test ${pct(snapshot.testAccuracy)}`;
  lineChart(
    $<SVGSVGElement & HTMLElement>('loss-chart'),
    [
      { label: 'train loss', color: '#333', values: history.map((s) => s.trainLoss) },
      { label: 'test loss', color: '#333', values: history.map((s) => s.testLoss), dashed: true },
    ],
    { log: true, title: 'Loss over time', xLabel: `${snapshot.step} steps` },
  );
  const layers = snapshot.gradNorms.length;
  const name = (i: number): string => (i === layers - 1 ? `layer ${i + 1} (output)` : `layer ${i + 1}`);
  lineChart(
    $<SVGSVGElement & HTMLElement>('grad-chart'),
    Array.from({ length: layers }, (_, i) => ({ label: name(i), color: layerColor(i, layers), values: history.map((s) => s.gradNorms[i]) })),
    { log: true, title: 'Gradient norm per layer over time', xLabel: `${snapshot.step} steps` },
  );
  $('grad-legend').replaceChildren(
    ...Array.from({ length: layers }, (_, i) => {
      const span = document.createElement('span');
      span.style.setProperty('--c', layerColor(i, layers));
      span.textContent = `${i + 1}`;
      span.title = `${name(i)}${i < snapshot.rules.length ? `, rule ${snapshot.rules[i]}` : ''}`;
      return span;
    }),
  );
  barChart(
    $<SVGSVGElement & HTMLElement>('units-chart'),
    snapshot.dead.map((dead, i) => ({
      name: String(i + 1),
      bars: [
        { label: 'dead', value: dead, color: '#555' },
        { label: 'saturated', value: snapshot.saturated[i], color: '#c0392b' },
      ],
    })),
    { min: 0, max: 1, title: 'Dead and saturated fraction per hidden layer' },
  );
  barChart(
    $<SVGSVGElement & HTMLElement>('agreement-chart'),
    snapshot.agreement.map((c, i) => ({ name: String(i + 1), bars: [{ label: `cosine (rule ${snapshot.rules[i] ?? 'output'})`, value: c, color: layerColor(i, layers) }] })),
    { min: -1, max: 1, title: 'Agreement with the exact gradient per layer', values: true },
  );
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === 'data') {
    points = message;
    return;
  }
  if (message.type === 'error') {
    setPlaying(false);
    setStatus(`Error: ${message.message}`, true);
    return;
  }
  const { snapshot } = message;
  history.push(snapshot);
  if (history.length > HISTORY) history = history.filter((_, i) => i % 2 === 0);
  if (playing && !message.playing) setPlaying(false);
  draw(snapshot);
  if (snapshot.diverged) {
    diverged = true;
    setPlaying(false);
    setStatus(`Diverged at step ${snapshot.step}: the loss is ${snapshot.trainLoss} (NaN or infinite). Lower the learning rate and reset.`, true);
  } else if (playing) {
    setStatus(`Training… step ${snapshot.step}`);
  }
};
worker.onerror = (event) => {
  setPlaying(false);
  setStatus(`The training worker failed: ${event.message}`, true);
};

wireControls();
renderControls();
showProblems(parsed.problems);
reset();
