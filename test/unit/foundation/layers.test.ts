import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `npm run lint` (ESLint with the repository's own config) refuses a planted cross-layer import and a planted
 * import cycle, and passes the same files as they are. The plants go in through --stdin, under the real file
 * names, so nothing is written into the tree.
 */
const root = path.resolve(__dirname, '../../..');
const eslint = path.join(root, 'node_modules/eslint/bin/eslint.js');

function lint(file: string, text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [eslint, '--stdin', '--stdin-filename', file, '--format', 'stylish'], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

const source = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

test('lint fails on a planted cross-layer import and on a planted import cycle, and passes the files as they are', async () => {
  const errors = source('src/core/errors.ts');
  const estimatorFile = source('src/features/savings/estimator.ts');
  const [clean, core, feature, cycle] = await Promise.all([
    lint('src/core/errors.ts', errors),
    // the core reaching into the providers
    lint('src/core/errors.ts', `${errors}\nimport { DiskCache } from '../providers/diskCache';\nexport const planted = DiskCache;\n`),
    // a feature building a cloud client itself
    lint('src/features/savings/estimator.ts', `${estimatorFile}\nimport { CloudWatchMetrics } from '../../providers/aws/cloudwatch';\nexport const planted = CloudWatchMetrics;\n`),
    // errors.ts → ports.ts → errors.ts
    lint('src/core/errors.ts', `${errors}\nimport { silentLogger } from './ports';\nexport const planted = silentLogger;\n`),
  ]);
  assert.equal(clean.code, 0, clean.out);
  assert.equal(core.code, 1, core.out);
  assert.match(core.out, /'\.\.\/providers\/diskCache' import is restricted.*src\/core is the domain.*no-restricted-imports/);
  assert.equal(feature.code, 1, feature.out);
  assert.match(feature.out, /'\.\.\/\.\.\/providers\/aws\/cloudwatch' import is restricted.*never another feature or a provider's folder/);
  assert.equal(cycle.code, 1, cycle.out);
  assert.match(cycle.out, /Import cycle: src\/core\/errors\.ts → src\/core\/ports\.ts → src\/core\/errors\.ts.*local\/no-import-cycle/);
});
