import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { exportTarget } from '../../fuzz/export';
import { cloudFormationTarget, hclParseTarget, terraformTarget } from '../../fuzz/iac';
import { policyTarget } from '../../fuzz/policy';
import { scheduleTarget } from '../../fuzz/schedule';
import { settingsTarget } from '../../fuzz/settings';
import type { FuzzTarget } from '../../fuzz/target';

/** A short seeded run of each parser and writer fuzz target (`npm run fuzz` runs 10,000 inputs of each). */
const INPUTS = 120;

describe('fuzz (seeded): IaC, policy, settings and export never throw, never hang, never place a finding outside the text', () => {
  for (const make of [hclParseTarget, terraformTarget, cloudFormationTarget, policyTarget, settingsTarget, exportTarget, scheduleTarget] as (() => FuzzTarget<unknown>)[]) {
    const target = make();
    it(`${target.name}: ${INPUTS} mutated inputs`, async () => {
      await target.setup();
      const problems: string[] = [];
      const counts = { ok: 0, refused: 0 };
      try {
        for (let seed = 1; seed <= INPUTS; seed++) {
          const input = target.generate(seed);
          const outcome = await target.run(input);
          if (outcome.kind === 'ok' || outcome.kind === 'refused') counts[outcome.kind]++;
          else problems.push(`seed ${seed} (${outcome.kind}): ${outcome.detail}\n  ${target.describe(input).slice(0, 400)}`);
        }
      } finally {
        await target.teardown();
      }
      assert.deepEqual(problems, []);
      assert.ok(counts.ok > 0, 'inputs are answered');
    });
  }

  it('the same seed gives the same input', () => {
    for (const make of [hclParseTarget, terraformTarget, cloudFormationTarget, policyTarget, settingsTarget, exportTarget, scheduleTarget] as (() => FuzzTarget<unknown>)[]) {
      const t = make();
      assert.equal(t.describe(t.generate(11)), t.describe(t.generate(11)), t.name);
    }
  });
});
