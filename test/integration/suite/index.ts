// extensionTestsPath entry: runs every *.test.js next to this file with mocha, inside the real extension host
// (the same contract as @vscode/test-electron). Writes a JSON summary where MLFINOPS_TEST_RESULT points.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.MLFINOPS_TEST_GREP;
  if (grep) mocha.grep(grep);
  // the untrusted run (Restricted Mode) has suites of its own: untrusted*.test.js run there and only there
  const untrusted = process.env.MLFINOPS_TEST_UNTRUSTED === '1';
  for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js') && f.startsWith('untrusted') === untrusted) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const failures: { title: string; error: string }[] = [];
    const results: { title: string; ok: boolean; ms: number }[] = [];
    let passed = 0;
    const runner = mocha.run((failed) => {
      const summary = { passed, failed, failures, results };
      const out = process.env.MLFINOPS_TEST_RESULT;
      if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
      console.log(`${passed} passed, ${failed} failed`);
      if (failed) reject(new Error(`${failed} tests failed.`));
      else resolve();
    });
    runner.on('pass', (t) => { passed += 1; results.push({ title: t.fullTitle(), ok: true, ms: t.duration ?? 0 }); });
    runner.on('fail', (t, err: Error) => {
      failures.push({ title: t.fullTitle(), error: String(err?.stack ?? err) });
      results.push({ title: t.fullTitle(), ok: false, ms: t.duration ?? 0 });
    });
  });
}
