// Prints load, parse, hash and scaling times of @foldwise/datasets on this machine; run on purpose:
//   node --import tsx libs/datasets/src/measure.main.ts
import {
  builtinNames,
  clearBuiltinCache,
  datasetHash,
  fitPreprocessor,
  loadBuiltin,
  parseCsv,
} from './index';

function ms(t0: bigint): string {
  return `${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`;
}

async function main(): Promise<void> {
  for (const name of builtinNames) {
    clearBuiltinCache();
    const t0 = process.hrtime.bigint();
    const ds = await loadBuiltin(name);
    console.log(
      `loadBuiltin('${name}') cold: ${ms(t0)} (${ds.nSamples}×${ds.nFeatures}${ds.heldOut ? ` + held-out ${ds.heldOut.nSamples}` : ''})`,
    );
  }
  const fm = await loadBuiltin('fashion-mnist');
  let t0 = process.hrtime.bigint();
  await loadBuiltin('fashion-mnist', { subset: 5000, seed: 1 });
  console.log(`fashion-mnist subset 5000 from the cached whole: ${ms(t0)}`);
  t0 = process.hrtime.bigint();
  datasetHash(fm);
  console.log(
    `datasetHash(fashion-mnist, ${((fm.X.byteLength + fm.y.byteLength + (fm.heldOut?.X.byteLength ?? 0)) / 2 ** 20).toFixed(0)} MiB): ${ms(t0)}`,
  );
  const train = Uint32Array.from({ length: 48000 }, (_, i) => i);
  t0 = process.hrtime.bigint();
  const p = fitPreprocessor({ scale: 'standard' }, fm.X, fm.nFeatures, train);
  console.log(`fitPreprocessor standard on 48000×784: ${ms(t0)}`);
  t0 = process.hrtime.bigint();
  p.transform(
    fm.X,
    Uint32Array.from({ length: 12000 }, (_, i) => 48000 + i),
  );
  console.log(`transform 12000×784: ${ms(t0)}`);
  const rows = 200_000;
  const lines = ['a,b,c,d,e,f,g,h,colour,label'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `${i % 97},${(i * 0.37) % 11},${i % 13},${(i * 1.1) % 5},${i % 7},${i % 3},${i % 11},${(i * 2.3) % 19},${['red', 'green', 'blue'][i % 3]},${i % 4 === 0 ? 'yes' : 'no'}`,
    );
  const csv = Buffer.from(lines.join('\n'));
  t0 = process.hrtime.bigint();
  parseCsv(csv, { target: 'label' });
  console.log(`parseCsv ${rows}×10 (${(csv.length / 2 ** 20).toFixed(1)} MiB): ${ms(t0)}`);
}

void main();
