import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { billCsvTarget, generateBillCsv } from '../../fuzz/billCsv';

/** A short seeded run of the CSV bill fuzz target (`npm run fuzz` runs 10,000 inputs). */
const INPUTS = 160;

describe('fuzz: FOCUS / native CSV reading (seeded)', () => {
  const target = billCsvTarget();
  before(() => target.setup());
  after(() => target.teardown());

  it('the same seed gives the same input', () => {
    assert.deepEqual(generateBillCsv(7), generateBillCsv(7));
    assert.notDeepEqual(generateBillCsv(7).bytes, generateBillCsv(8).bytes);
  });

  it(`${INPUTS} mutated bills: each is answered with finite costs or refused with a FinOpsError naming file, row and column`, async () => {
    const problems: string[] = [];
    const counts = { ok: 0, refused: 0 };
    for (let seed = 1; seed <= INPUTS; seed++) {
      const input = target.generate(seed);
      const outcome = await target.run(input);
      if (outcome.kind === 'ok' || outcome.kind === 'refused') counts[outcome.kind]++;
      else problems.push(`seed ${seed} (${outcome.kind}): ${outcome.detail}\n  ${target.describe(input)}`);
    }
    assert.deepEqual(problems, []);
    assert.ok(counts.ok > INPUTS / 5 && counts.refused > INPUTS / 5, `both answers and refusals are exercised: ${JSON.stringify(counts)}`);
  });
});
