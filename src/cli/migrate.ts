import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultTagAliases, tagAliasesFromPolicy, type TagAliases } from '../core/cost/tags';
import { estimateMigration } from '../core/migrate/estimate';
import { lastFullMonth, monthPeriod, workloadFromBill } from '../core/migrate/fromBill';
import { estimateToJson, estimateToMarkdown, estimateToTable } from '../core/migrate/report';
import { describeSelector, parseSelector } from '../core/migrate/selector';
import { shippedTransferPrices } from '../core/migrate/shippedTransferPrices';
import { loadPolicy } from '../core/policy/load';
import type { CloudProvider } from '../core/pricing/model';
import { shippedCatalogue } from '../core/pricing/shippedCatalogue';
import { FocusFileSource } from '../providers/focus/focusFileSource';
import { ExitCode, usageError, type CliIO, type Subcommand } from './io';

const usage = `Usage: mlfinops migrate --from-focus PATH --resources SELECTOR --to gcp|azure|aws [options]

What the selected resources of a bill would cost on another cloud: each machine mapped to the nearest
shape there (the same GPU model and count first, then vCPU and memory; where the target does not sell
the GPU, the nearest by GPU memory and FP16/BF16 throughput, and it says so), priced on-demand, spot and
with 1- and 3-year commitments from the shipped price catalogue; the stored data moved once (the source
cloud's internet egress, tier by tier) and stored there a month; the monthly difference and the
break-even month. Markdown adds a migration checklist filled with the resources.

Options:
  --from-focus PATH     a FOCUS (or native) bill file, folder or glob; repeat for more (required)
  --resources SELECTOR  "all", or KEY=VALUE terms joined by commas (required): tag:Team=nlp,ProviderName=AWS;
                        keys are FOCUS dimensions or tag:Key; a key repeated lists alternatives
  --to CLOUD            gcp, azure or aws (required)
  --region R            the target region (default: the catalogue's region on the selection's continent)
  --month YYYY-MM       the month the figures describe (default: the last whole month in the bill)
  --format F            table, json or markdown (default: table)
  --policy FILE         the team policy giving tag names per cloud (default: .finops.yaml here, if any)

Prices: the shipped snapshot (resources/pricing), each figure with its source and date; a price the
snapshot lacks is "not estimated" with the reason, and left out of both sides of the comparison.

Exit codes: 0 success, 2 usage error, an unreadable bill or a selection with nothing to move,
3 a failure of the query engine.`;

const TARGETS: readonly CloudProvider[] = ['gcp', 'azure', 'aws'];

async function readAliases(file: string | undefined, cwd: string): Promise<TagAliases> {
  const p = path.resolve(cwd, file ?? '.finops.yaml');
  const text = await fs.readFile(p, 'utf8').catch(() => undefined);
  if (text === undefined) {
    if (file) throw usageError(`cannot read the policy file ${file}`);
    return defaultTagAliases;
  }
  return tagAliasesFromPolicy(loadPolicy(text, p).policy);
}

const command: Subcommand = {
  summary: 'what a selection of a bill would cost on another cloud, with a migration checklist',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        'from-focus': { type: 'string', multiple: true },
        resources: { type: 'string' },
        to: { type: 'string' },
        region: { type: 'string' },
        month: { type: 'string' },
        format: { type: 'string', default: 'table' },
        policy: { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
    const files = values['from-focus'] ?? [];
    if (!files.length) throw usageError('--from-focus PATH is required.');
    if (values.resources === undefined) throw usageError('--resources SELECTOR is required ("all" for every resource).');
    const target = values.to as CloudProvider | undefined;
    if (!target || !TARGETS.includes(target)) throw usageError(`--to must be gcp, azure or aws (got ${values.to === undefined ? 'nothing' : `"${values.to}"`}).`);
    const format = values.format ?? 'table';
    if (!['table', 'json', 'markdown'].includes(format)) throw usageError(`--format must be table, json or markdown (got "${format}").`);
    const filters = parseSelector(values.resources);

    const source = new FocusFileSource({ paths: files, baseDir: io.cwd, tagAliases: await readAliases(values.policy, io.cwd) });
    try {
      let month = values.month;
      if (month === undefined) {
        const covered = await source.coverage();
        month = covered ? lastFullMonth(covered) : undefined;
        if (!month) throw usageError(`the bill holds no whole month${covered ? ` (it covers ${covered.start} to ${covered.end})` : ''}; name one with --month YYYY-MM.`);
      }
      const { period, label } = monthPeriod(month);
      const rows = await source.workload(filters, period);
      const estimate = estimateMigration({
        target, ...(values.region ? { targetRegion: values.region } : {}), basis: label, ...workloadFromBill(rows),
      }, shippedCatalogue(), shippedTransferPrices());
      if (format === 'json') io.stdout(`${JSON.stringify(estimateToJson(estimate), null, 2)}\n`);
      else if (format === 'markdown') io.stdout(estimateToMarkdown(estimate, { selection: describeSelector(filters), generatedOn: new Date().toISOString().slice(0, 10) }));
      else io.stdout(estimateToTable(estimate));
      return ExitCode.ok;
    } finally {
      source.dispose();
    }
  },
};

export default command;
