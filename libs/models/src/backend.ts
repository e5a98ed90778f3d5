import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as WasmBackend from '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvGradients } from './wasm-kernels';

type WasmModule = typeof WasmBackend;

/** Backend preferences a worker may be configured with. */
export const BackendPref = {
  Auto: 'auto',
  Tensorflow: 'tensorflow',
  TensorflowGpu: 'tensorflow-gpu',
  Wasm: 'wasm',
  Cpu: 'cpu',
} as const;
/** One of `BackendPref`'s values. */
export type BackendPref = (typeof BackendPref)[keyof typeof BackendPref];

/** Which tfjs backend ended up running, whether it has a GPU, and why the better ones were skipped. */
export interface BackendChoice {
  backend: 'tensorflow' | 'wasm' | 'cpu';
  gpu: boolean;
  skipped: { name: string; reason: string }[];
}

/** How backend selection loads and resolves packages: Node's `require` here; tests hand in a fake one. */
export interface ModuleLoader {
  (id: string): unknown;
  resolve(id: string): string;
}

let current: BackendChoice | undefined;
const nodeRequire: ModuleLoader = createRequire(__filename);

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

/** Loads a native binding package (which registers tfjs's `tensorflow` backend) and starts that backend. */
async function tryNative(load: ModuleLoader, pkg: string): Promise<string | undefined> {
  try {
    load(pkg);
  } catch (e) {
    return `require('${pkg}') failed: ${errorText(e)}`;
  }
  try {
    const ok = await tf.setBackend('tensorflow');
    await tf.ready();
    return ok ? undefined : 'tf.setBackend("tensorflow") returned false';
  } catch (e) {
    return `${pkg} loaded, but its tensorflow backend did not start: ${errorText(e)}`;
  }
}

async function tryWasm(load: ModuleLoader): Promise<string | undefined> {
  try {
    const wasm = load('@tensorflow/tfjs-backend-wasm') as WasmModule;
    const dist = path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setWasmPaths(dist + path.sep);
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    registerWasmConvGradients();
    return ok ? undefined : 'tf.setBackend("wasm") returned false';
  } catch (e) {
    return `wasm backend failed to initialise: ${errorText(e)}`;
  }
}

/**
 * Chooses the best tfjs backend that loads here, following `pref`; safe to call repeatedly (first choice wins).
 * `load` finds the backend packages (requiring `@tensorflow/tfjs-node` is what registers the native backend).
 */
export async function selectBackend(
  pref: BackendPref = 'auto',
  load: ModuleLoader = nodeRequire,
): Promise<BackendChoice> {
  if (!Object.values(BackendPref).includes(pref)) {
    throw new Error(`pref: expected one of ${Object.values(BackendPref).join(', ')} (got ${String(pref)})`);
  }
  if (current) return current;
  const skipped: { name: string; reason: string }[] = [];
  const order: BackendPref[] =
    pref === 'auto' || pref === 'tensorflow-gpu'
      ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']
      : pref === 'tensorflow'
        ? ['tensorflow', 'wasm', 'cpu']
        : pref === 'wasm'
          ? ['wasm', 'cpu']
          : ['cpu'];
  for (const name of order) {
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      const why = await tryNative(
        load,
        name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node',
      );
      if (why) {
        skipped.push({ name, reason: why });
        continue;
      }
      current = { backend: 'tensorflow', gpu: name === 'tensorflow-gpu', skipped };
      return current;
    }
    if (name === 'wasm') {
      const why = await tryWasm(load);
      if (why) {
        skipped.push({ name, reason: why });
        continue;
      }
      current = { backend: 'wasm', gpu: false, skipped };
      return current;
    }
    await tf.setBackend('cpu');
    await tf.ready();
    current = { backend: 'cpu', gpu: false, skipped };
    return current;
  }
  throw new Error('selectBackend: no backend could be initialised');
}

/** The backend chosen by `selectBackend`, if any. */
export function currentBackend(): BackendChoice | undefined {
  return current;
}

/** Forgets the choice, so that the next `selectBackend` chooses again; for tests that fake the bindings. */
export function forgetBackendChoice(): void {
  current = undefined;
}
