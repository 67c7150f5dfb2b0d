/**
 * Saving and loading models in a browser, with TF.js' URL schemes and storage layout:
 * `indexeddb://name` (database 'tensorflowjs', stores 'models_store' and 'model_info_store'),
 * `localstorage://name` (keys 'tensorflowjs_models/<name>/info', '.../model_topology', ...; weights base64) and
 * `downloads://name` (the files name.json and name.weights.bin offered as downloads). A model
 * one library stores, the other loads on the same page.
 */
import { ValueError } from '../core/errors.js';
import { FileFormatError } from './format_error.js';
import { artifactsInfo, type ModelArtifacts, type ModelArtifactsInfo, type SaveResult } from './tfjs_artifacts.js';

const DATABASE = 'tensorflowjs';
const MODELS_STORE = 'models_store';
const INFO_STORE = 'model_info_store';
const LOCAL_PREFIX = 'tensorflowjs_models';

function browserGlobal<T>(name: string, scheme: string): T {
  const value = (globalThis as Record<string, unknown>)[name];
  if (value === undefined || value === null)
    throw new ValueError(
      `${scheme}:// needs a browser's ${name}, which this environment does not have; in Node save with 'file://path' or a plain path`,
    );
  return value as T;
}

function checkName(name: string, scheme: string): string {
  if (typeof name !== 'string' || name === '')
    throw new ValueError(`${scheme}://: the model needs a name after the scheme, as in '${scheme}://my-model'`);
  return name;
}

// ---- IndexedDB ----

function openDatabase(): Promise<IDBDatabase> {
  const factory = browserGlobal<IDBFactory>('indexedDB', 'indexeddb');
  return new Promise((resolve, reject) => {
    const request = factory.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(MODELS_STORE)) db.createObjectStore(MODELS_STORE, { keyPath: 'modelPath' });
      if (!db.objectStoreNames.contains(INFO_STORE)) db.createObjectStore(INFO_STORE, { keyPath: 'modelPath' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function saveIndexedDb(name: string, artifacts: ModelArtifacts): Promise<SaveResult> {
  const modelArtifactsInfo = artifactsInfo(artifacts);
  const db = await openDatabase();
  try {
    const tx = db.transaction([INFO_STORE, MODELS_STORE], 'readwrite');
    tx.objectStore(INFO_STORE).put({ modelPath: name, modelArtifactsInfo });
    tx.objectStore(MODELS_STORE).put({ modelPath: name, modelArtifacts: artifacts });
    await done(tx);
  } finally {
    db.close();
  }
  return { modelArtifactsInfo };
}

async function loadIndexedDb(name: string): Promise<ModelArtifacts> {
  const db = await openDatabase();
  try {
    const tx = db.transaction(MODELS_STORE, 'readonly');
    const record = await requestResult(tx.objectStore(MODELS_STORE).get(name));
    if (!record)
      throw new FileFormatError(`loadLayersModel: no model named '${name}' in IndexedDB (indexeddb://${name})`);
    return (record as { modelArtifacts: ModelArtifacts }).modelArtifacts;
  } finally {
    db.close();
  }
}

async function listIndexedDb(): Promise<Record<string, ModelArtifactsInfo>> {
  const db = await openDatabase();
  try {
    const tx = db.transaction(INFO_STORE, 'readonly');
    const all = (await requestResult(tx.objectStore(INFO_STORE).getAll())) as {
      modelPath: string;
      modelArtifactsInfo: ModelArtifactsInfo;
    }[];
    return Object.fromEntries(all.map((r) => [`indexeddb://${r.modelPath}`, r.modelArtifactsInfo]));
  } finally {
    db.close();
  }
}

async function removeIndexedDb(name: string): Promise<ModelArtifactsInfo> {
  const db = await openDatabase();
  try {
    const tx = db.transaction([INFO_STORE, MODELS_STORE], 'readwrite');
    const info = (await requestResult(tx.objectStore(INFO_STORE).get(name))) as
      | { modelArtifactsInfo: ModelArtifactsInfo }
      | undefined;
    if (!info) throw new ValueError(`removeModel: no model named '${name}' in IndexedDB`);
    tx.objectStore(INFO_STORE).delete(name);
    tx.objectStore(MODELS_STORE).delete(name);
    await done(tx);
    return info.modelArtifactsInfo;
  } finally {
    db.close();
  }
}

// ---- localStorage ----

const localKeys = (name: string) => {
  const base = `${LOCAL_PREFIX}/${name}`;
  return {
    info: `${base}/info`,
    topology: `${base}/model_topology`,
    weightSpecs: `${base}/weight_specs`,
    weightData: `${base}/weight_data`,
    metadata: `${base}/model_metadata`,
  };
};

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): ArrayBuffer {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes.buffer;
}

function saveLocalStorage(name: string, artifacts: ModelArtifacts): SaveResult {
  const storage = browserGlobal<Storage>('localStorage', 'localstorage');
  const keys = localKeys(name);
  const modelArtifactsInfo = artifactsInfo(artifacts);
  const entries: [string, string][] = [
    [keys.info, JSON.stringify(modelArtifactsInfo)],
    [keys.topology, JSON.stringify(artifacts.modelTopology)],
    [keys.weightSpecs, JSON.stringify(artifacts.weightSpecs ?? [])],
    [keys.weightData, toBase64(artifacts.weightData ?? new ArrayBuffer(0))],
    [
      keys.metadata,
      JSON.stringify({
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
      }),
    ],
  ];
  try {
    for (const [key, value] of entries) storage.setItem(key, value);
  } catch (e) {
    // A full quota leaves no half-saved model behind.
    for (const [key] of entries) storage.removeItem(key);
    throw new ValueError(
      `localstorage://${name}: the model (${modelArtifactsInfo.weightDataBytes} bytes of weights) does not fit in localStorage (${(e as Error).message}); use indexeddb://${name}`,
    );
  }
  return { modelArtifactsInfo };
}

function loadLocalStorage(name: string): ModelArtifacts {
  const storage = browserGlobal<Storage>('localStorage', 'localstorage');
  const keys = localKeys(name);
  const topology = storage.getItem(keys.topology);
  if (topology === null)
    throw new FileFormatError(`loadLayersModel: no model named '${name}' in localStorage (localstorage://${name})`);
  const metadata = JSON.parse(storage.getItem(keys.metadata) ?? '{}') as Partial<ModelArtifacts>;
  return {
    modelTopology: JSON.parse(topology),
    weightSpecs: JSON.parse(storage.getItem(keys.weightSpecs) ?? '[]'),
    weightData: fromBase64(storage.getItem(keys.weightData) ?? ''),
    format: metadata.format,
    generatedBy: metadata.generatedBy,
    convertedBy: metadata.convertedBy,
    trainingConfig: metadata.trainingConfig,
  };
}

function listLocalStorage(): Record<string, ModelArtifactsInfo> {
  const storage = browserGlobal<Storage>('localStorage', 'localstorage');
  const out: Record<string, ModelArtifactsInfo> = {};
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i) ?? '';
    const match = key.match(/^tensorflowjs_models\/(.+)\/info$/);
    if (match) out[`localstorage://${match[1]}`] = JSON.parse(storage.getItem(key) as string);
  }
  return out;
}

function removeLocalStorage(name: string): ModelArtifactsInfo {
  const storage = browserGlobal<Storage>('localStorage', 'localstorage');
  const keys = localKeys(name);
  const info = storage.getItem(keys.info);
  if (info === null) throw new ValueError(`removeModel: no model named '${name}' in localStorage`);
  for (const key of Object.values(keys)) storage.removeItem(key);
  return JSON.parse(info);
}

// ---- downloads ----

function saveDownloads(name: string, artifacts: ModelArtifacts): SaveResult {
  const doc = browserGlobal<Document>('document', 'downloads');
  const prefix = name || 'model';
  const weightsName = `${prefix}.weights.bin`;
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [`./${weightsName}`], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
  };
  const offer = (fileName: string, blob: Blob) => {
    const url = URL.createObjectURL(blob);
    const anchor = doc.createElement('a');
    anchor.download = fileName;
    anchor.href = url;
    anchor.dispatchEvent(new MouseEvent('click'));
    // Revoked later: the browser reads the blob after the click event returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  offer(`${prefix}.json`, new Blob([JSON.stringify(json)], { type: 'application/json' }));
  offer(weightsName, new Blob([artifacts.weightData ?? new ArrayBuffer(0)], { type: 'application/octet-stream' }));
  return { modelArtifactsInfo: artifactsInfo(artifacts) };
}

// ---- the schemes ----

/** Saves artifacts under a browser scheme. @example await saveToBrowser('indexeddb', 'my-model', artifacts); */
export async function saveToBrowser(
  scheme: 'indexeddb' | 'localstorage' | 'downloads',
  name: string,
  artifacts: ModelArtifacts,
): Promise<SaveResult> {
  if (scheme === 'downloads') return saveDownloads(name, artifacts);
  checkName(name, scheme);
  return scheme === 'indexeddb' ? saveIndexedDb(name, artifacts) : saveLocalStorage(name, artifacts);
}

/** Loads artifacts saved under a browser scheme. @example await loadFromBrowser('localstorage', 'my-model'); */
export async function loadFromBrowser(scheme: 'indexeddb' | 'localstorage', name: string): Promise<ModelArtifacts> {
  checkName(name, scheme);
  return scheme === 'indexeddb' ? loadIndexedDb(name) : loadLocalStorage(name);
}

/**
 * Every model stored in IndexedDB and localStorage, by URL (TF.js `tf.io.listModels`).
 * @example Object.keys(await io.listModels()); // ['indexeddb://my-model', ...]
 */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const g = globalThis as Record<string, unknown>;
  return {
    ...(g.indexedDB ? await listIndexedDb() : {}),
    ...(g.localStorage ? listLocalStorage() : {}),
  };
}

/**
 * Deletes a stored model (TF.js `tf.io.removeModel`), returning what it was.
 * @example await io.removeModel('localstorage://my-model');
 */
export async function removeModel(url: string): Promise<ModelArtifactsInfo> {
  const match = typeof url === 'string' ? url.match(/^(indexeddb|localstorage):\/\/(.+)$/) : null;
  if (!match)
    throw new ValueError(
      `removeModel: expected 'indexeddb://name' or 'localstorage://name', got ${JSON.stringify(url)}`,
    );
  return match[1] === 'indexeddb' ? removeIndexedDb(match[2]) : removeLocalStorage(match[2]);
}
