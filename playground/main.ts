// Myelin's playground: pick a dataset, a model and an optimizer, train in the page and watch
// the loss and metric curves (uPlot) and, for 2-D data, the decision boundary; download the
// trained model. Built by `npm run playground`, served by `npx myelin playground`.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import * as my from '../src/browser.js';
import { DATASETS, type DatasetName, loadDataset, type PlaygroundData } from './data.js';
import { buildModel, MODELS, type ModelName, OPTIMIZERS, type OptimizerChoice } from './models.js';
import { drawBoundary } from './boundary.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function fillSelect(id: string, options: Record<string, string>): void {
  $<HTMLSelectElement>(id).innerHTML = Object.entries(options)
    .map(([value, label]) => `<option value="${value}">${label}</option>`)
    .join('');
}

function chart(target: HTMLElement, title: string, name: string): uPlot {
  return new uPlot(
    {
      title,
      width: 440,
      height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'epoch' }, {}],
      series: [
        { label: 'epoch' },
        { label: name, stroke: '#2563eb', width: 2 },
        { label: `val_${name}`, stroke: '#ea580c', width: 2 },
      ],
    },
    [[], [], []],
    target,
  );
}

const state = {
  running: false,
  stop: false,
  done: false,
  epochs: [] as number[],
  logs: {} as Record<string, number[]>,
  model: null as my.LayersModel | null,
  data: null as PlaygroundData | null,
  charts: [] as uPlot[],
  error: '',
};

function describeBackend(): string {
  const info = my.backendInfo();
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const why = info.threadsUnavailable ? ` (single-threaded: ${info.threadsUnavailable})` : '';
  return `backend ${info.name}${info.flavor ? ` (${info.flavor})` : ''}, ${threads}${why}`;
}

function modelFits(model: ModelName, dataset: DatasetName): boolean {
  return model !== 'cnn' || dataset === 'digits';
}

async function train(): Promise<void> {
  if (state.running) return;
  const dataset = $<HTMLSelectElement>('dataset').value as DatasetName;
  const kind = $<HTMLSelectElement>('model').value as ModelName;
  const optimizer = $<HTMLSelectElement>('optimizer').value as OptimizerChoice;
  const learningRate = Number($<HTMLInputElement>('lr').value);
  const epochs = Math.max(1, Math.floor(Number($<HTMLInputElement>('epochs').value)));
  const status = $('status');
  if (!modelFits(kind, dataset)) {
    status.textContent = 'The CNN takes images: pick the digits, or another model.';
    return;
  }
  Object.assign(state, { running: true, stop: false, done: false, epochs: [], logs: {}, error: '' });
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  $<HTMLButtonElement>('download').disabled = true;
  try {
    my.setSeed(Number($<HTMLInputElement>('seed').value) || 0);
    const data = loadDataset(dataset);
    const model = buildModel(kind, data, optimizer, learningRate);
    state.data = data;
    state.model = model;
    const metric = data.task === 'classification' ? 'accuracy' : 'mae';
    for (const c of state.charts) c.destroy();
    $('charts').innerHTML = '<div id="loss-chart"></div><div id="metric-chart"></div>';
    state.charts = [chart($('loss-chart'), 'loss', 'loss'), chart($('metric-chart'), metric, metric)];
    $('boundary-box').hidden = !data.points;
    const started = performance.now();
    await model.fit(data.xTrain, data.yTrain, {
      epochs,
      batchSize: 32,
      verbose: 0,
      validationData: [data.xVal, data.yVal],
      callbacks: {
        onEpochEnd: async (epoch, logs = {}) => {
          state.epochs.push(epoch + 1);
          for (const [k, v] of Object.entries(logs)) (state.logs[k] ??= []).push(v);
          const metricKey = Object.keys(logs).find((k) => k !== 'loss' && !k.startsWith('val_')) ?? metric;
          state.charts[0].setData([state.epochs, state.logs.loss ?? [], state.logs.val_loss ?? []]);
          state.charts[1].setData([state.epochs, state.logs[metricKey] ?? [], state.logs[`val_${metricKey}`] ?? []]);
          const shown = Object.entries(logs)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join(', ');
          status.textContent = `epoch ${epoch + 1}/${epochs}: ${shown}`;
          if (data.points && (epoch % 5 === 4 || epoch + 1 === epochs)) drawBoundary($('boundary'), model, data.points);
          if (state.stop) model.stopTraining = true;
        },
      },
    });
    if (data.points) drawBoundary($('boundary'), model, data.points);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    status.textContent = `${status.textContent} (${state.epochs.length} epochs in ${seconds} s)`;
    $<HTMLButtonElement>('download').disabled = false;
  } catch (e) {
    state.error = (e as Error).message;
    status.textContent = `Error: ${state.error}`;
  } finally {
    state.running = false;
    state.done = true;
    $<HTMLButtonElement>('train').disabled = false;
    $<HTMLButtonElement>('stop').disabled = true;
  }
}

/** The trained model as one file: the safetensors weights carry the architecture in their metadata. */
function download(): void {
  if (!state.model) return;
  const bytes = my.saveToBuffers(state.model)['model.safetensors'];
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `myelin-${state.data?.name ?? 'model'}.safetensors`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function start(): Promise<void> {
  fillSelect('dataset', DATASETS);
  fillSelect('model', MODELS);
  fillSelect('optimizer', Object.fromEntries(OPTIMIZERS.map((o) => [o, o])));
  $<HTMLSelectElement>('model').value = 'mlp';
  $('backend').textContent = `starting (${await my.ready()})…`;
  $('backend').textContent = describeBackend();
  $('train').addEventListener('click', () => void train());
  $('stop').addEventListener('click', () => {
    state.stop = true;
  });
  $('download').addEventListener('click', download);
  // For tests and the curious: the page's state and the trained model's predictions.
  Object.assign(globalThis, {
    playground: {
      state,
      backend: () => my.backendInfo(),
      chartPoints: () => state.charts.map((c) => c.data[1].length),
      predict: (rows: number[][]) => {
        if (!state.model) throw new Error('train a model first');
        return (state.model.predict(my.tensor(rows)) as my.Tensor).arraySync();
      },
    },
  });
  $('train').removeAttribute('disabled');
}

void start();
