import type { VegaLiteSpec } from './charts';
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';

type VegaModule = typeof Vega;
type VegaLiteModule = typeof VegaLite;

let modules: Promise<[VegaModule, VegaLiteModule]> | undefined;

const load = (): Promise<[VegaModule, VegaLiteModule]> => {
  modules ??= Promise.all([import('vega'), import('vega-lite')]);
  return modules;
};

/** Compiles a Vega-Lite spec and renders it headless to an SVG string (no browser, no network). */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vl] = await load();
  const compiled = vl.compile(spec as unknown as Parameters<VegaLiteModule['compile']>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
