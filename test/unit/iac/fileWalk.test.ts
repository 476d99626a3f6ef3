import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IacWorkspace, maxFileBytes } from '../../../src/core/iac/workspace';
import { defaultPolicy } from '../../../src/core/policy/defaults';
import { collectIacFiles } from '../../../src/providers/iac/files';

const tf = 'resource "aws_instance" "a" {\n  ami           = "ami-1"\n  instance_type = "t3.micro"\n}\n';

/** The file walk under hostile trees: links to folders above, loops, FIFOs, devices, huge and unreadable files. */
describe('IaC file walk: every tree ends, only regular files are read, and what is not read is said', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-walk-'));
    fs.writeFileSync(path.join(dir, 'main.tf'), tf);
    fs.mkdirSync(path.join(dir, 'mod'));
    fs.writeFileSync(path.join(dir, 'mod', 'mod.tf'), tf);
    // two links to "." and one to the parent: each walks back into folders already seen
    fs.symlinkSync('.', path.join(dir, 'here'));
    fs.symlinkSync('.', path.join(dir, 'again'));
    fs.symlinkSync('..', path.join(dir, 'mod', 'up'));
    // a loop of links (a → b → a) and a dangling link named like Terraform
    fs.symlinkSync(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
    fs.symlinkSync(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));
    fs.symlinkSync(path.join(dir, 'nowhere.tf'), path.join(dir, 'dangling.tf'));
    // a link to the same file under another name is read once
    fs.symlinkSync(path.join(dir, 'main.tf'), path.join(dir, 'same.tf'));
    // never read: a FIFO (would block forever), a character device (would read without end)
    execFileSync('mkfifo', [path.join(dir, 'pipe.tf')]);
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.tf'));
    // larger than the limit, named like a template
    fs.writeFileSync(path.join(dir, 'huge.tf'), `# ${'x'.repeat(maxFileBytes + 10)}\n`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const sync of [false, true]) {
    it(`${sync ? 'blocking (CLI)' : 'non-blocking (extension)'} reads: each real file once, the rest skipped with the reason`, async () => {
      const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: false });
      const { files, skipped } = await collectIacFiles([dir], ws, { sync });
      const rel = (p: string) => path.relative(dir, p);
      const read = files.filter((f) => ws.text(f)).map(rel).sort();
      assert.deepEqual(read, ['main.tf', 'mod/mod.tf'], 'main.tf once (not again through here/, again/, same.tf or mod/up/)');
      const reasons = new Map(skipped.map((s) => [rel(s.path), s.reason]));
      assert.match(reasons.get('pipe.tf') ?? '', /not a regular file/);
      assert.match(reasons.get('zero.tf') ?? '', /not a regular file/);
      assert.match(reasons.get('huge.tf') ?? '', /MB; files over 4 MB are not checked/);
      assert.match(reasons.get('dangling.tf') ?? '', /could not be read \(ENOENT\)/);
      // each skipped Terraform file is a finding, so it is never reported as "no problems"
      const found = ws.analyze().findingsByFile;
      for (const name of ['pipe.tf', 'zero.tf', 'huge.tf', 'dangling.tf']) {
        const f = found.get(path.join(dir, name)) ?? [];
        assert.ok(f.some((x) => x.code === 'file-skipped' && x.message.startsWith(`Not checked: ${name} `)), `${name}: ${JSON.stringify(f)}`);
      }
    });
  }

  it('a file named explicitly that is too large is reported as skipped, Terraform and CloudFormation alike', async () => {
    const big = path.join(dir, 'big-template.yaml');
    fs.writeFileSync(big, `AWSTemplateFormatVersion: "2010-09-09"\n# ${'x'.repeat(maxFileBytes)}\n`);
    try {
      for (const p of [path.join(dir, 'huge.tf'), big]) {
        const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: false });
        await collectIacFiles([p], ws, { sync: true });
        const f = ws.analyze().findingsByFile.get(p) ?? [];
        assert.equal(f.length, 1, p);
        assert.equal(f[0]!.code, 'file-skipped');
      }
    } finally {
      fs.rmSync(big);
    }
  });

  it('a file whose size the system does not report (/proc) is read to its end, within the byte cap', async () => {
    const link = path.join(dir, 'proc-status.tf');
    fs.symlinkSync('/proc/self/status', link);
    try {
      const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: false });
      await collectIacFiles([link], ws, { sync: true });
      assert.equal(fs.statSync(link).size, 0, 'the stat says 0 bytes');
      assert.match(ws.text(link) ?? '', /^Name:/, 'yet the text is read');
    } finally {
      fs.rmSync(link);
    }
  });

  it('a missing path named explicitly is an input error naming it', async () => {
    const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: false });
    await assert.rejects(collectIacFiles([path.join(dir, 'absent')], ws), (e: Error) => /No such file or folder: .*absent/.test(e.message));
  });
});
