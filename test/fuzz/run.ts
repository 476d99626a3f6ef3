import { parseArgs } from 'node:util';
import { billCsvTarget } from './billCsv';
import { exportTarget } from './export';
import { cloudFormationTarget, hclParseTarget, terraformTarget } from './iac';
import { policyTarget } from './policy';
import { scheduleTarget } from './schedule';
import { settingsTarget } from './settings';
import type { FuzzTarget } from './target';

/**
 * `npm run fuzz`: feeds seeded mutated inputs to each target and prints, per target, the inputs, the answers,
 * the refusals, the wrong results, the errors thrown that are not FinOpsError, the inputs that took over 2 s, and
 * the process's peak memory. Not part of `npm test` (a short seeded run of each target is in the unit suite).
 *
 *   npm run fuzz -- [--inputs 10000] [--seed 1] [--target "FOCUS/native CSV reading"]
 */
const targets = [hclParseTarget, terraformTarget, cloudFormationTarget, policyTarget, billCsvTarget, settingsTarget, exportTarget, scheduleTarget] as (() => FuzzTarget<unknown>)[];

const HANG_MS = 2000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { inputs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, target: { type: 'string' } } });
  const inputs = Number(values.inputs);
  const first = Number(values.seed);
  const rows: string[][] = [];
  let failures = 0;
  for (const make of targets) {
    const target = make();
    if (values.target && target.name !== values.target) continue;
    await target.setup();
    const counts = { ok: 0, refused: 0, wrong: 0, thrown: 0, hangs: 0 };
    const started = Date.now();
    try {
      for (let seed = first; seed < first + inputs; seed++) {
        const input = target.generate(seed);
        const t = Date.now();
        const outcome = await target.run(input).catch((e: unknown) => ({ kind: 'thrown' as const, detail: e instanceof Error ? e.stack ?? e.message : String(e) }));
        const ms = Date.now() - t;
        counts[outcome.kind]++;
        if (ms > HANG_MS) {
          counts.hangs++;
          console.log(`[${target.name}] seed ${seed}: ${ms} ms: ${target.describe(input)}`);
        }
        if (outcome.kind === 'wrong' || outcome.kind === 'thrown') console.log(`[${target.name}] seed ${seed}: ${outcome.kind}: ${outcome.detail}\n    ${target.describe(input)}`);
        if ((seed - first + 1) % 1000 === 0) console.error(`${target.name}: ${seed - first + 1} / ${inputs} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
    } finally {
      await target.teardown();
    }
    failures += counts.wrong + counts.thrown + counts.hangs;
    rows.push([target.name, String(inputs), String(counts.ok), String(counts.refused), String(counts.wrong), String(counts.thrown), String(counts.hangs), `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`, `${((Date.now() - started) / 1000).toFixed(0)} s`]);
  }
  const header = ['target', 'inputs', 'ok', 'refused (FinOpsError)', 'wrong', 'thrown, not FinOpsError', `hangs > ${HANG_MS / 1000} s`, 'peak memory (process)', 'time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log(`\n${[header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')}`);
  process.exitCode = failures ? 1 : 0;
}

void main();
