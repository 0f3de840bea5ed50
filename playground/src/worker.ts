// The Web Worker that trains: the page stays responsive whatever the network's size. Steps run
// in chunks; between chunks the worker yields (setTimeout) so that pause, rule switches and
// resets arrive, and it posts a snapshot for the page to draw.
import type { FromWorker, ToWorker } from './protocol';
import { Trainer } from './trainer';

/** Optimizer steps between two snapshots. */
const STEPS_PER_CHUNK = 10;

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let trainer: Trainer | null = null;
let playing = false;
let timer: ReturnType<typeof setTimeout> | null = null;

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function publish(): void {
  if (trainer === null) return;
  const snapshot = trainer.snapshot();
  if (snapshot.diverged) playing = false;
  post({ type: 'snapshot', snapshot, playing });
}

function loop(): void {
  timer = null;
  if (!playing || trainer === null) return;
  trainer.train(STEPS_PER_CHUNK);
  publish();
  if (playing) timer = setTimeout(loop, 0);
}

function guarded(action: () => void): void {
  try {
    action();
  } catch (e) {
    playing = false;
    post({ type: 'error', message: (e as Error).message });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  guarded(() => {
    switch (message.type) {
      case 'reset': {
        playing = false;
        trainer = new Trainer(message.config);
        const { train, test, extent } = trainer.data;
        post({ type: 'data', train, test, extent });
        publish();
        break;
      }
      case 'play':
        if (trainer === null || trainer.diverged) return;
        playing = true;
        if (timer === null) timer = setTimeout(loop, 0);
        break;
      case 'pause':
        playing = false;
        publish();
        break;
      case 'step':
        if (trainer === null || trainer.diverged) return;
        playing = false;
        trainer.train(1);
        publish();
        break;
      case 'rules':
        trainer?.setRules(message.rule, message.layerRules);
        if (!playing) publish();
        break;
      case 'lr':
        trainer?.setLr(message.lr);
        break;
      case 'optimizer':
        trainer?.setOptimizer(message.optimizer);
        break;
    }
  });
};
