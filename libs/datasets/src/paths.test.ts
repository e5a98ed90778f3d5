import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveDataPath } from './paths';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'foldwise-paths-')));
const root = path.join(tmp, 'data');
const other = path.join(tmp, 'other');
const outside = path.join(tmp, 'secret.csv');
fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
fs.mkdirSync(other);
fs.writeFileSync(path.join(root, 'sub', 'a.csv'), 'x,y\n');
fs.writeFileSync(path.join(other, 'b.csv'), 'x,y\n');
fs.writeFileSync(outside, 'secret\n');
fs.symlinkSync(outside, path.join(root, 'escape.csv'));
fs.symlinkSync(tmp, path.join(root, 'up'));
fs.symlinkSync(path.join(root, 'sub', 'a.csv'), path.join(root, 'alias.csv'));

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('relative and absolute paths inside a root resolve to their real path', () => {
  const a = path.join(root, 'sub', 'a.csv');
  assert.equal(resolveDataPath('sub/a.csv', [root]), a);
  assert.equal(resolveDataPath('./sub/../sub/a.csv', [root]), a);
  assert.equal(resolveDataPath(a, [root]), a);
  assert.equal(resolveDataPath('alias.csv', [root]), a);
  assert.equal(resolveDataPath('b.csv', [root, other]), path.join(other, 'b.csv'));
});

test('a .. escape is rejected with the path and the allowed roots named', () => {
  assert.throws(
    () => resolveDataPath('../secret.csv', [root]),
    (e: Error) => e.message === `data path '../secret.csv' lies outside the allowed roots: ${root}`,
  );
  assert.throws(
    () => resolveDataPath('sub/../../secret.csv', [root, other]),
    new RegExp(`lies outside the allowed roots: ${root}, ${other}$`),
  );
});

test('an absolute path outside the roots is rejected', () => {
  assert.throws(
    () => resolveDataPath(outside, [root]),
    (e: Error) => e.message === `data path '${outside}' lies outside the allowed roots: ${root}`,
  );
  assert.throws(
    () => resolveDataPath('/etc/passwd', [root]),
    /data path '\/etc\/passwd' lies outside the allowed roots/,
  );
});

test('a symbolic link whose real path leaves the roots is rejected', () => {
  assert.throws(
    () => resolveDataPath('escape.csv', [root]),
    new RegExp(
      `data path 'escape.csv' resolves through a symbolic link to '${outside}', outside the allowed roots: ${root}`,
    ),
  );
  assert.throws(
    () => resolveDataPath('up/secret.csv', [root]),
    /resolves through a symbolic link to .*secret\.csv', outside the allowed roots/,
  );
});

test('a missing file and an empty path are reported as such', () => {
  assert.throws(
    () => resolveDataPath('nope.csv', [root]),
    new RegExp(`data path 'nope.csv' does not exist under the allowed roots: ${root}`),
  );
  assert.throws(() => resolveDataPath('', [root]), /data path "": must be a non-empty path/);
  assert.throws(() => resolveDataPath('a.csv', []), /no allowed roots are configured/);
});
