import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as WasmBackend from '@tensorflow/tfjs-backend-wasm';
import { visibleGpus } from './gpus';
import { registerWasmConvGradients } from './wasm-kernels';

type WasmModule = typeof WasmBackend;

/** Backend preferences a worker may be configured with. */
export const BackendPref = {
  Auto: 'auto',
  Tensorflow: 'tensorflow',
  TensorflowGpu: 'tensorflow-gpu',
  Webgpu: 'webgpu',
  Wasm: 'wasm',
  Cpu: 'cpu',
} as const;
/** One of `BackendPref`'s values. */
export type BackendPref = (typeof BackendPref)[keyof typeof BackendPref];

/** Which tfjs backend ended up running, whether it has a GPU, and why the better ones were skipped. */
export interface BackendChoice {
  backend: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  gpu: boolean;
  skipped: { name: string; reason: string }[];
  /** The WebGPU adapter training runs on (webgpu only). */
  adapter?: AdapterInfo;
}

/** What a WebGPU adapter says of itself (`GPUAdapter.info`, and whether it is a software fallback). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

/** What selection may ask of the machine; tests hand in fakes. */
export interface SelectOptions {
  /**
   * Whether the machine shows a GPU device at all (an NVIDIA GPU, a Linux DRM render node, macOS): `auto` probes
   * WebGPU only then, since loading Dawn costs time and logs where there is none.
   */
  gpuDevice?: () => boolean;
}

/** A GPU device is visible: CUDA's, a Linux DRM render node (any vendor), or a Mac (Metal). */
function machineHasGpuDevice(): boolean {
  if (process.platform === 'darwin') return true;
  if (visibleGpus().length > 0) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * Whether an adapter is a discrete GPU, read from what WebGPU reports (Dawn's node binding does not expose its adapter
 * type): never a software fallback (SwiftShader, llvmpipe, WARP); NVIDIA but Tegra/Jetson; AMD but its APUs' "Radeon
 * Graphics"/Vega iGPUs; Intel only Arc. Everything else (Apple, Qualcomm, ARM, unknown) counts as integrated.
 */
export function isDiscreteAdapter(info: AdapterInfo): boolean {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  if (info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic/.test(text))
    return false;
  if (/nvidia|geforce|quadro|tesla|rtx|\bh100\b|\ba100\b/.test(text))
    return !/tegra|jetson|orin|xavier/.test(text);
  if (/\bamd\b|radeon|\bati\b/.test(text))
    return !/radeon(\(tm\))? graphics|vega \d+ graphics|\bapu\b|ryzen/.test(text);
  if (/intel/.test(text)) return /\barc\b/.test(text);
  return false;
}

/** The `webgpu` npm package's surface that selection uses (Dawn's node binding). */
interface DawnModule {
  create(flags: string[]): { requestAdapter(o?: { powerPreference?: string }): Promise<unknown> };
  globals: Record<string, unknown>;
}

interface GpuAdapterLike {
  info?: Partial<AdapterInfo>;
  isFallbackAdapter?: boolean;
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

/**
 * Starts tfjs's WebGPU backend on Dawn (the `webgpu` package) when an adapter is there and, if `discreteOnly`, a
 * discrete GPU. Returns the adapter, or why it was skipped.
 */
async function tryWebgpu(
  load: ModuleLoader,
  discreteOnly: boolean,
): Promise<{ adapter: AdapterInfo } | { reason: string }> {
  let dawn: DawnModule;
  try {
    dawn = load('webgpu') as DawnModule;
  } catch (e) {
    return { reason: `require('webgpu') failed: ${errorText(e)}` };
  }
  try {
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    const raw = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as GpuAdapterLike | null;
    if (!raw) return { reason: 'no WebGPU adapter (Dawn found no Vulkan, Metal or D3D12 device)' };
    const adapter: AdapterInfo = {
      vendor: raw.info?.vendor ?? '',
      architecture: raw.info?.architecture ?? '',
      device: raw.info?.device ?? '',
      description: raw.info?.description ?? '',
      isFallbackAdapter: raw.info?.isFallbackAdapter ?? raw.isFallbackAdapter ?? false,
    };
    const name = adapter.description || `${adapter.vendor} ${adapter.architecture}`.trim() || 'unnamed';
    if (adapter.isFallbackAdapter) return { reason: `adapter ${name} is a software fallback` };
    if (discreteOnly && !isDiscreteAdapter(adapter))
      return {
        reason: `adapter ${name} is not a discrete GPU (set FOLDWISE_BACKEND=webgpu to use it anyway)`,
      };
    const nav = (globalThis as { navigator?: object }).navigator;
    if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
    else
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    try {
      load('@tensorflow/tfjs-backend-webgpu');
    } catch (e) {
      return { reason: `require('@tensorflow/tfjs-backend-webgpu') failed: ${errorText(e)}` };
    }
    const ok = await tf.setBackend('webgpu');
    await tf.ready();
    return ok ? { adapter } : { reason: 'tf.setBackend("webgpu") returned false' };
  } catch (e) {
    return { reason: `webgpu backend failed to initialise: ${errorText(e)}` };
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
    await registerWasmConvGradients();
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
  options: SelectOptions = {},
): Promise<BackendChoice> {
  if (!Object.values(BackendPref).includes(pref)) {
    throw new Error(`pref: expected one of ${Object.values(BackendPref).join(', ')} (got ${String(pref)})`);
  }
  if (current) return current;
  const skipped: { name: string; reason: string }[] = [];
  const order: BackendPref[] =
    pref === 'auto' || pref === 'tensorflow-gpu'
      ? ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']
      : pref === 'webgpu'
        ? ['webgpu', 'tensorflow', 'wasm', 'cpu']
        : pref === 'tensorflow'
          ? ['tensorflow', 'wasm', 'cpu']
          : pref === 'wasm'
            ? ['wasm', 'cpu']
            : ['cpu'];
  for (const name of order) {
    if (name === 'webgpu') {
      if (pref !== 'webgpu' && !(options.gpuDevice ?? machineHasGpuDevice)()) {
        skipped.push({
          name,
          reason: 'no GPU device on this machine (no NVIDIA GPU, no /dev/dri render node)',
        });
        continue;
      }
      const r = await tryWebgpu(load, pref !== 'webgpu');
      if ('reason' in r) {
        skipped.push({ name, reason: r.reason });
        continue;
      }
      current = { backend: 'webgpu', gpu: true, skipped, adapter: r.adapter };
      return current;
    }
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
