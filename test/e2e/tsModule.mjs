// @ts-check
// The project's own TypeScript modules in a UI test (the steps are plain Node): esbuild (a dev dependency) bundles a
// module with its imports into a temporary ES module, which is imported. UI tests thus measure with the product's
// verified code (src/shared/colour.ts) and start emulators with the test support the extension-host tests use
// (test/support/moto.ts), instead of copies of either.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { root } from '../../scripts/lib/codeServer.mjs';

/**
 * @param {string} relPath a .ts file, relative to the repository root
 * @returns {Promise<any>}
 */
export async function importTs(relPath) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-module-'));
  const outfile = path.join(dir, 'module.mjs');
  try {
    await build({ entryPoints: [path.join(root, relPath)], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error', packages: 'external' });
    return await import(pathToFileURL(outfile).href);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
