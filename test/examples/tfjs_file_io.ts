// Preloaded (node --import) into the TensorFlow.js runs of the ported examples: the `file://`
// save and load handlers that @tensorflow/tfjs-node adds to TensorFlow.js (model.json beside
// weights.bin), which the pure-JavaScript @tensorflow/tfjs package lacks. The programs
// themselves are unchanged; this only stands in for tfjs-node's file system support.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const strip = (url: string) => url.slice('file://'.length);

tf.io.registerSaveRouter(((url: string | string[]) => {
  if (typeof url !== 'string' || !url.startsWith('file://')) return null;
  const dir = strip(url);
  return {
    async save(artifacts: tf.io.ModelArtifacts) {
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData as ArrayBuffer;
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weights));
      const { weightData: _data, weightSpecs, ...rest } = artifacts;
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({ ...rest, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  };
}) as unknown as Parameters<typeof tf.io.registerSaveRouter>[0]);

tf.io.registerLoadRouter(((url: string | string[]) => {
  if (typeof url !== 'string' || !url.startsWith('file://')) return null;
  const path = strip(url);
  return {
    async load() {
      const json = JSON.parse(readFileSync(path, 'utf8'));
      const parts = json.weightsManifest.flatMap((g: { paths: string[] }) =>
        g.paths.map((p) => readFileSync(join(dirname(path), p))),
      );
      const data = Buffer.concat(parts);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights),
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
        trainingConfig: json.trainingConfig,
      };
    },
  };
}) as unknown as Parameters<typeof tf.io.registerSaveRouter>[0]);
