import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DatasetError } from './errors';
import { parseCsv, parseJsonl } from './tabular';

const csv = [
  'size,colour,weight,label',
  '1.5,red,10,cat',
  '2.5,blue,20,dog',
  '3.5,red,30,cat',
  '4.5,green,40,bird',
].join('\n');

test('a CSV with numeric and categorical columns is one-hot encoded in sorted category order', () => {
  const ds = parseCsv(csv, { target: 'label', name: 'pets' });
  assert.equal(ds.name, 'pets');
  assert.equal(ds.task, 'classification');
  assert.equal(ds.nSamples, 4);
  assert.deepEqual(ds.featureNames, ['size', 'colour=blue', 'colour=green', 'colour=red', 'weight']);
  assert.deepEqual(ds.featureKinds, ['numeric', 'numeric', 'numeric', 'numeric', 'numeric']);
  assert.deepEqual(
    Array.from(ds.X),
    [1.5, 0, 0, 1, 10, 2.5, 1, 0, 0, 20, 3.5, 0, 0, 1, 30, 4.5, 0, 1, 0, 40],
  );
  assert.deepEqual(ds.classes, ['bird', 'cat', 'dog']);
  assert.deepEqual(Array.from(ds.y), [1, 2, 1, 0]);
  assert.deepEqual(ds.schema, {
    target: 'label',
    columns: [
      { name: 'size', kind: 'numeric' },
      { name: 'colour', kind: 'categorical', categories: ['blue', 'green', 'red'] },
      { name: 'weight', kind: 'numeric' },
    ],
  });
  assert.match(ds.hash, /^[0-9a-f]{64}$/);
});

test('declared feature types override inference, so numeric codes can be categorical', () => {
  const ds = parseCsv('zone,v,y\n10,1,a\n2,2,b\n10,3,a\n', {
    target: 'y',
    featureTypes: { zone: 'categorical' },
  });
  assert.deepEqual(ds.featureNames, ['zone=2', 'zone=10', 'v']);
  assert.deepEqual(Array.from(ds.X), [0, 1, 1, 1, 0, 2, 0, 1, 3]);
});

test('the task is inferred: few distinct integers are classes, fractional or many values are regression', () => {
  const classes = parseCsv('x,y\n1,0\n2,1\n3,2\n4,1\n', { target: 'y' });
  assert.equal(classes.task, 'classification');
  assert.deepEqual(classes.classes, [0, 1, 2]);
  const fractional = parseCsv('x,y\n1,0.5\n2,1\n3,2\n', { target: 'y' });
  assert.equal(fractional.task, 'regression');
  assert.deepEqual(Array.from(fractional.y), [0.5, 1, 2]);
  const many = parseCsv(['x,y', ...Array.from({ length: 30 }, (_, i) => `${i},${i * 7}`)].join('\n'), {
    target: 'y',
  });
  assert.equal(many.task, 'regression');
  assert.equal(many.classes, undefined);
  const spelled = parseCsv('x,y\n1,1.0\n2,1\n3,2\n4,02\n', { target: 'y' });
  assert.deepEqual(spelled.classes, [1, 2]);
  assert.deepEqual(Array.from(spelled.y), [0, 0, 1, 1]);
  const declared = parseCsv('x,y\n1,0\n2,1\n3,0\n', { target: 'y', task: 'regression' });
  assert.equal(declared.task, 'regression');
});

test('missing values are dropped or imputed with the mean or the most frequent value when asked', () => {
  const input = 'a,b,y\n1,x,p\n,y,q\n3,,p\n5,y,q\n';
  const dropped = parseCsv(input, { target: 'y', missing: 'drop-rows' });
  assert.equal(dropped.nSamples, 2);
  assert.deepEqual(Array.from(dropped.X), [1, 1, 0, 5, 0, 1]);
  const mean = parseCsv(input, { target: 'y', missing: 'mean' });
  assert.deepEqual(Array.from(mean.X), [1, 1, 0, 3, 0, 1, 3, 0, 1, 5, 0, 1]);
  const mode = parseCsv('a,y\n2,p\n1,q\nNA,p\n2,q\n1,p\n', { target: 'y', missing: 'most-frequent' });
  assert.deepEqual(Array.from(mode.X), [2, 1, 1, 2, 1]);
});

test('a row without its target is dropped unless missing values are rejected', () => {
  assert.equal(parseCsv('a,y\n1,p\n2,\n3,q\n', { target: 'y', missing: 'mean' }).nSamples, 2);
  assert.throws(
    () => parseCsv('a,y\n1,p\n2,\n3,q\n', { target: 'y' }),
    /^DatasetError: row 3, column 'y': missing target value$/,
  );
});

function fails(fn: () => unknown, message: RegExp, row?: number, column?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DatasetError, `expected a DatasetError, got ${String(e)}`);
    assert.match(e.message, message);
    assert.equal(e.row, row);
    assert.equal(e.column, column);
    return true;
  });
}

test('bad CSV files fail with the file row and the column named', () => {
  fails(
    () => parseCsv('a,b,y\n1,2,p\n1,2\n', { target: 'y' }),
    /^row 3: expected 3 columns as in the header, found 2$/,
    3,
  );
  fails(
    () => parseCsv('a,b,y\n1,2,p\n\n1,2,3,q\n', { target: 'y' }),
    /^row 4: expected 3 columns as in the header, found 4$/,
    4,
  );
  fails(
    () => parseCsv('a,b\n1,2\n', { target: 'species' }),
    /^target column 'species' not found; columns are: a, b$/,
    undefined,
    'species',
  );
  fails(
    () => parseCsv('a,y\n1,p\n2,p\n', { target: 'y' }),
    /^target 'y': one class only \("p"\); classification needs at least two$/,
    undefined,
    'y',
  );
  fails(
    () => parseCsv('a,y\n1,p\n2,q\nabc,p\n', { target: 'y', featureTypes: { a: 'numeric' } }),
    /^row 4, column 'a': non-numeric value "abc" in numeric column$/,
    4,
    'a',
  );
  fails(
    () => parseCsv('a,y\n1,p\n2,q\n3,p\nx1,q\n', { target: 'y' }),
    /^row 5, column 'a': non-numeric value "x1" in numeric column \(declare featureTypes\['a'\] = 'categorical'/,
    5,
    'a',
  );
  fails(
    () => parseCsv('a,b,y\n1,2,p\n3,,q\n', { target: 'y' }),
    /^row 3, column 'b': missing value \(missing: 'reject'/,
    3,
    'b',
  );
  fails(
    () => parseCsv('a,y\n1,p\n2,q\n3,1.5x\n', { target: 'y', task: 'regression' }),
    /^row 2, column 'y': non-numeric target "p" in a regression task$/,
    2,
    'y',
  );
  fails(() => parseCsv('', { target: 'y' }), /^empty file: no header row$/);
  fails(() => parseCsv('a,y\n', { target: 'y' }), /^empty file: a header but no data rows$/);
  fails(
    () => parseCsv('a,a,y\n1,2,p\n', { target: 'y' }),
    /^header: column name 'a' appears twice \(columns 1 and 2\)$/,
    undefined,
    'a',
  );
  fails(
    () => parseCsv('a,y\n1,p\n2,q\n', { target: 'y', featureTypes: { b: 'numeric' } }),
    /^featureTypes\['b'\]: no such column; columns are: a, y$/,
    undefined,
    'b',
  );
  fails(() => parseCsv('a,y\n"1,p\n', { target: 'y' }), /^malformed CSV: Quote Not Closed: .* at line 2$/, 2);
});

test('a multi-line quoted field does not shift the rows named in later errors', () => {
  fails(
    () => parseCsv('note,a,y\n"two\nlines",1,p\nok,,q\n', { target: 'y' }),
    /^row 4, column 'a': missing value/,
    4,
    'a',
  );
});

test('JSON Lines parse like CSV, with nulls and absent fields as missing values', () => {
  const jsonl = [
    '{"size":1.5,"colour":"red","weight":10,"label":"cat"}',
    '{"size":2.5,"colour":"blue","weight":20,"label":"dog"}',
    '',
    '{"size":3.5,"colour":"red","weight":30,"label":"cat"}',
    '{"size":4.5,"colour":"green","weight":40,"label":"bird"}',
  ].join('\n');
  const fromJson = parseJsonl(jsonl, { target: 'label' });
  const fromCsv = parseCsv(csv, { target: 'label' });
  assert.deepEqual(Array.from(fromJson.X), Array.from(fromCsv.X));
  assert.deepEqual(fromJson.featureNames, fromCsv.featureNames);
  const imputed = parseJsonl('{"a":1,"b":true,"y":1.5}\n{"a":null,"b":false,"y":2}\n{"b":true,"y":3}\n', {
    target: 'y',
    missing: 'mean',
  });
  assert.equal(imputed.task, 'regression');
  assert.deepEqual(imputed.featureNames, ['a', 'b=false', 'b=true']);
  assert.deepEqual(Array.from(imputed.X), [1, 0, 1, 1, 1, 0, 1, 0, 1]);
});

test('bad JSON Lines fail with the line and the field named', () => {
  fails(() => parseJsonl('{"a":1,"y":"p"}\n{"a":2,"y":"q"\n', { target: 'y' }), /^row 2: invalid JSON/, 2);
  fails(
    () => parseJsonl('{"a":1,"y":"p"}\n\n[1,2]\n', { target: 'y' }),
    /^row 3: expected a JSON object, found an array$/,
    3,
  );
  fails(
    () => parseJsonl('{"a":1,"y":"p"}\n{"a":2,"z":3,"y":"q"}\n', { target: 'y' }),
    /^row 2, column 'z': unexpected field, not among the fields of row 1$/,
    2,
    'z',
  );
  fails(
    () => parseJsonl('{"a":1,"y":"p"}\n{"a":{"b":1},"y":"q"}\n', { target: 'y' }),
    /^row 2, column 'a': nested object values are not supported$/,
    2,
    'a',
  );
  fails(
    () => parseJsonl('{"a":1,"y":"p"}\n{"a":"x","y":"q"}\n', { target: 'y', featureTypes: { a: 'numeric' } }),
    /^row 2, column 'a': non-numeric value "x" in numeric column$/,
    2,
    'a',
  );
  fails(() => parseJsonl('\n  \n', { target: 'y' }), /^empty file: no JSON rows$/);
});

test('the content hash ignores the name and the file format but not a single value', () => {
  const a = parseCsv(csv, { target: 'label', name: 'one' });
  const b = parseCsv(`${csv}\n`.replace(/\n/g, '\r\n'), { target: 'label', name: 'two' });
  assert.equal(a.hash, b.hash);
  const c = parseCsv(csv.replace('3.5', '3.25'), { target: 'label' });
  assert.notEqual(a.hash, c.hash);
  const d = parseCsv(csv, { target: 'label', featureTypes: { weight: 'categorical' } });
  assert.notEqual(a.hash, d.hash);
});

test('a groups column becomes group ids, stays out of the features, and is part of the hash', () => {
  const text = ['patient,x,label', 'p2,1,a', 'p1,2,b', 'p2,3,a', 'p3,4,b'].join('\n');
  const ds = parseCsv(text, { target: 'label', groups: 'patient' });
  assert.deepEqual(ds.featureNames, ['x']);
  assert.deepEqual(Array.from(ds.groups ?? []), [1, 0, 1, 2]);
  assert.equal(ds.schema.groups, 'patient');
  const plain = parseCsv(['x,label', '1,a', '2,b', '3,a', '4,b'].join('\n'), { target: 'label' });
  assert.deepEqual(Array.from(plain.X), Array.from(ds.X));
  assert.notEqual(plain.hash, ds.hash, 'the same features with groups hash differently');
  assert.throws(
    () => parseCsv(text, { target: 'label', groups: 'visit' }),
    /groups: column 'visit' not found; columns are: patient, x, label/,
  );
  assert.throws(
    () => parseCsv(text, { target: 'label', groups: 'label' }),
    /groups: 'label' is the target column/,
  );
  assert.throws(
    () =>
      parseCsv(['patient,x,label', 'p1,1,a', ',2,b'].join('\n'), {
        target: 'label',
        groups: 'patient',
        missing: 'drop-rows',
      }),
    (e: Error) => e instanceof DatasetError && /row 3, column 'patient': missing group id/.test(e.message),
  );
});
