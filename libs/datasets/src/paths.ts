import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError, DatasetErrorCode } from './errors';

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
}

/** Resolves a data path named in a spec to its real path, which must exist and lie inside one of the allowed roots (relative paths are taken from each root in turn); `..` escapes, outside absolute paths and symlinks leading out are rejected. */
export function resolveDataPath(userPath: string, allowedRoots: string[]): string {
  if (typeof userPath !== 'string' || userPath === '' || userPath.includes('\0')) {
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `data path ${JSON.stringify(userPath)}: must be a non-empty path without NUL bytes`,
    );
  }
  if (allowedRoots.length === 0) {
    throw new DatasetError(
      DatasetErrorCode.PathOutsideRoots,
      `data path '${userPath}': no allowed roots are configured`,
    );
  }
  const roots = allowedRoots.map((r) => {
    try {
      return fs.realpathSync(path.resolve(r));
    } catch {
      throw new DatasetError(DatasetErrorCode.PathNotFound, `allowed root '${r}' does not exist`);
    }
  });
  const listed = roots.join(', ');
  const candidates = path.isAbsolute(userPath)
    ? [path.resolve(userPath)]
    : roots.map((r) => path.resolve(r, userPath));
  const lexicalRoots = [...allowedRoots.map((r) => path.resolve(r)), ...roots];
  const lexicallyInside = candidates.filter((c) => lexicalRoots.some((r) => inside(r, c)));
  if (lexicallyInside.length === 0) {
    throw new DatasetError(
      DatasetErrorCode.PathOutsideRoots,
      `data path '${userPath}' lies outside the allowed roots: ${listed}`,
    );
  }
  for (const c of lexicallyInside) {
    let real: string;
    try {
      real = fs.realpathSync(c);
    } catch {
      continue;
    }
    if (!roots.some((r) => inside(r, real))) {
      throw new DatasetError(
        DatasetErrorCode.PathOutsideRoots,
        `data path '${userPath}' resolves through a symbolic link to '${real}', outside the allowed roots: ${listed}`,
      );
    }
    return real;
  }
  throw new DatasetError(
    DatasetErrorCode.PathNotFound,
    `data path '${userPath}' does not exist under the allowed roots: ${listed}`,
  );
}
