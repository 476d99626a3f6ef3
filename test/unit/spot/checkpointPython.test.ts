import { it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { spotPythonPath, systemPython } from '../../support/spot';

/** The Python package's own unit tests (unittest), with Debian's /usr/bin/python3 and torch / numpy from apt. */
it('mlfinops_checkpoint: atomic saves, keep N, RNG restore, SIGTERM and the marker file, bad input (python unittest)', () => {
  const r = spawnSync(systemPython, ['-m', 'unittest', '-v', 'test_checkpoint'], {
    cwd: path.join(__dirname, 'python'), encoding: 'utf8', env: { ...process.env, PYTHONPATH: spotPythonPath, PYTHONDONTWRITEBYTECODE: '1' },
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /Ran 12 tests/);
  assert.match(r.stderr, /\nOK\n?$/);
});
