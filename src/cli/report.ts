import { parseArgs } from 'node:util';
import { parseGroupBy } from '../core/cost/query';
import { FinOpsError } from '../core/errors';
import { addDays } from '../core/period';
import { showbackCsv, showbackHtml, showbackMarkdown } from '../core/showback/report';
import { monthlyShowback } from '../core/showback/monthly';
import { openBill, readPolicyFile, refuseSectionErrors } from './bill';
import { billOptions, ExitCode, METRIC_CHOICES, monthOption, oneOf, usageError, type CliIO, type Subcommand } from './io';

const usage = `Usage: mlfinops report --month YYYY-MM --focus PATH [options]

The monthly showback report: each team's cost by project and by workload stage (training, inference,
experimentation, storage, data transfer: from the Stage tag, else the service category), untagged and
shared cost allocated as .finops.yaml says (showback.allocation: proportional, even or none; the
report says which), the team's budgets and anomalies. Amounts are whole cents that add up to the
month's total exactly (rounding remainders placed largest fraction first, ties by name).

Options:
  --month YYYY-MM   the month (required)
  --focus PATH      a bill: FOCUS or native export file, folder or glob; repeat for more (required)
  --by KEY          who is charged: a tag written tag:Team (default) or a FOCUS dimension
  --format F        markdown, csv or html (default: markdown)
  --metric M        EffectiveCost, BilledCost or ListCost (default: EffectiveCost)
  --policy FILE     the policy with showback settings and budgets (default: .finops.yaml, if any)

Exit codes: 0 success, 2 usage error or a policy or bill that cannot be read, 3 a failure of the
query engine.`;

const report: Subcommand = {
  summary: 'monthly showback per team: projects, stages, shared cost allocated, budgets, anomalies',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        ...billOptions('markdown'),
        month: { type: 'string' },
        by: { type: 'string', default: 'tag:Team' },
      },
    });
    const month = monthOption(values.month);
    if (month === undefined) throw usageError('--month YYYY-MM is required');
    const format = oneOf('format', values.format, ['markdown', 'csv', 'html']);
    const metric = oneOf('metric', values.metric, METRIC_CHOICES);
    const [by, ...more] = parseGroupBy(values.by);
    if (!by || more.length) throw usageError('--by takes one key, such as tag:Team');
    const loaded = await readPolicyFile(values.policy, io.cwd);
    refuseSectionErrors(loaded, ['showback', 'budgets']);
    const settings = loaded.showback ?? { allocation: 'proportional' };
    const source = openBill(values.focus ?? [], io.cwd, loaded);
    try {
      const covered = await source.coverage();
      if (!covered) throw new FinOpsError('input', 'The bill has no cost rows.', { fix: 'Point --focus at a bill with cost rows.' });
      // the function behind the extension's "Showback Report…" too: the same cents in both
      const { report: r, notes } = await monthlyShowback((q, signal) => source.query(q, signal), {
        month, by, metric, settings, budgets: loaded.budgets ?? [], lastDay: addDays(covered.end, -1), dataStart: covered.start,
      });
      for (const n of notes) io.stderr(`mlfinops report: note: ${n}\n`);
      io.stdout(format === 'csv' ? showbackCsv(r) : format === 'html' ? showbackHtml(r) : showbackMarkdown(r));
      return ExitCode.ok;
    } finally {
      source.dispose();
    }
  },
};

export default report;
