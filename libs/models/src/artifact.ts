import * as tf from '@tensorflow/tfjs';

/** A saved model: its files by name, in the tfjs-layers format (model.json + weights.bin). */
export interface ModelArtifact {
  files: Record<string, Uint8Array>;
  format: 'tfjs-layers';
}

function toBytes(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), off);
    off += p.byteLength;
  }
  return out;
}

/** Saves a LayersModel to memory through a custom tf.io IOHandler (topology + weights). */
export async function saveModelArtifact(model: tf.LayersModel): Promise<ModelArtifact> {
  let files: Record<string, Uint8Array> | undefined;
  const handler: tf.io.IOHandler = {
    save: async (a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const weights = toBytes(a.weightData as ArrayBuffer | ArrayBuffer[] | undefined);
      const modelJson = {
        format: 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
      };
      files = { 'model.json': new TextEncoder().encode(JSON.stringify(modelJson)), 'weights.bin': weights };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    },
  };
  await model.save(handler);
  if (!files) throw new Error('model: save produced no artifacts');
  return { files, format: 'tfjs-layers' };
}

/** Loads a model saved by `saveModelArtifact`; throws naming the missing file. */
export async function loadModelArtifact(files: Record<string, Uint8Array>): Promise<tf.LayersModel> {
  const json = files['model.json'];
  if (!json) throw new Error('files["model.json"]: missing');
  const parsed = JSON.parse(new TextDecoder().decode(json)) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const entry = parsed.weightsManifest[0];
  const weightSpecs = entry?.weights ?? [];
  const bins = (entry?.paths ?? []).map((p) => {
    const f = files[p];
    if (!f) throw new Error(`files["${p}"]: missing (named in model.json)`);
    return f;
  });
  const weightData = toBytes(bins.map((b) => b.slice().buffer));
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: parsed.modelTopology,
      weightSpecs,
      weightData: weightData.slice().buffer,
    }),
  };
  return tf.loadLayersModel(handler);
}
