import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as metrics from './index';
import { assertClose, loadCases, type ReferenceCase } from './fixtures.testutil';

type AnyFn = (...args: unknown[]) => unknown;

function call(c: ReferenceCase, args: unknown[] = c.args): unknown {
  const fn = (metrics as unknown as Record<string, AnyFn>)[c.fn];
  assert.ok(fn, `${c.name}: foldwise has no function ${c.fn}`);
  return fn(...args, c.options);
}

function isNumericLabels(x: unknown): x is number[] {
  return Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number');
}

function typed(args: unknown[]): unknown[] | null {
  const a = args[0];
  const b = args[1];
  if (!isNumericLabels(a) || !isNumericLabels(b)) return null;
  const ints = b.every((v) => Number.isInteger(v));
  return [Float64Array.from(a), ints ? Int32Array.from(b) : Float64Array.from(b), ...args.slice(2)];
}

function prfsExpected(e: unknown): unknown {
  const [precision, recall, fScore, support] = e as unknown[];
  return { precision, recall, fScore, support };
}

function runFile(
  file: string,
  adapt: (c: ReferenceCase, actual: unknown) => [unknown, unknown] = (c, a) => [a, c.expected],
): void {
  const cases = loadCases(file);
  assert.ok(cases.length > 0, `${file} holds no cases`);
  for (const c of cases) {
    const [actual, expected] = adapt(c, call(c));
    assertClose(actual, expected, c.name);
    const alt = typed(c.args);
    if (alt !== null) {
      const [again] = adapt(c, call(c, alt));
      assertClose(again, expected, `${c.name} (typed arrays)`);
    }
  }
}

void test('classification metrics match scikit-learn 1.2 on binary, multi-class, string-label and edge cases', () => {
  runFile('classification.json', (c, actual) => [
    actual,
    c.fn === 'precisionRecallFscoreSupport' ? prfsExpected(c.expected) : c.expected,
  ]);
});

void test('regression metrics match scikit-learn 1.2, including constant targets and a single sample', () => {
  runFile('regression.json');
});

void test('log loss matches scikit-learn 1.2 with clipping, labels, weights and two-column matrices', () => {
  runFile('logloss.json');
});

void test('ROC AUC and average precision match scikit-learn 1.2, ties and flat Float32Array matrices included', () => {
  const cases = loadCases('ranking.json');
  for (const c of cases) {
    let args = c.args;
    let options = c.options;
    if (c.flat32) {
      const rows = c.args[1] as number[][];
      const flat = Float32Array.from(rows.flat());
      assert.deepEqual(Array.from(flat), rows.flat(), `${c.name}: fixture values are float32`);
      args = [c.args[0], flat];
      options = { ...options, nClasses: (rows[0] as number[]).length };
    }
    assertClose(call({ ...c, options }, args), c.expected, c.name);
  }
});

interface SkRow {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

void test('the classification report matches scikit-learn 1.2 in numbers and, character for character, in text', () => {
  for (const c of loadCases('report.json')) {
    const report = call(c) as metrics.ClassificationReport;
    const { dict, text } = c.expected as { dict: Record<string, SkRow | number>; text: string };
    const row = (r: SkRow) => ({
      precision: r.precision,
      recall: r.recall,
      f1Score: r['f1-score'],
      support: r.support,
    });
    report.targetNames.forEach((name, i) =>
      assertClose(report.perClass[i], row(dict[name] as SkRow), `${c.name} ${name}`),
    );
    assertClose(report.macroAvg, row(dict['macro avg'] as SkRow), `${c.name} macro`);
    assertClose(report.weightedAvg, row(dict['weighted avg'] as SkRow), `${c.name} weighted`);
    if ('accuracy' in dict) {
      assertClose(report.accuracy, dict.accuracy, `${c.name} accuracy`);
      assert.equal(report.microAvg, null);
    } else {
      assertClose(report.microAvg, row(dict['micro avg'] as SkRow), `${c.name} micro`);
      assert.equal(report.accuracy, null);
    }
    assert.equal(report.text, text, c.name);
  }
});

void test('every registered scorer matches the scikit-learn scorer of the same name, sign included', () => {
  const covered = new Set<string>();
  for (const c of loadCases('scorers.json')) {
    const name = c.options.name as string;
    const [yTrue, yPred, proba] = c.args as [number[], number[], number[][] | null];
    const input: metrics.ScorerInput = proba === null ? { yTrue, yPred } : { yTrue, yPred, proba };
    assertClose(metrics.getScorer(name).score(input), c.expected, c.name);
    covered.add(name);
  }
  assert.deepEqual(
    metrics.scorerNames.filter((n) => !covered.has(n)),
    [],
  );
});

void test('inputs scikit-learn rejects are rejected with an error naming the offending argument', () => {
  for (const c of loadCases('errors.json')) {
    assert.throws(
      () => call(c),
      { message: new RegExp(`^${c.argument}\\b`) },
      `${c.name} (sklearn: ${c.sklearn})`,
    );
  }
});
