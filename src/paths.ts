import { existsSync } from 'node:fs';
import path from 'node:path';

function folderOfPackageJson(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * The project's root (views/, templates/, public/ are there), found the same way whether the code
 * runs from src/ (tsx, Jest) or from the compiled dist/src/.
 */
export const PROJECT_ROOT = folderOfPackageJson(__dirname);
