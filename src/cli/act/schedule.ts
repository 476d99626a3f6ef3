import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { HOURS_PER_MONTH } from '../../core/pricing/model';
import { parseMonth } from '../../core/savings/calendar';
import { applySchedule, prepareSchedule } from '../../core/act/scheduleAction';
import { planLines, scheduleSaving, type AwsScheduleMode, type ShutdownPlan } from '../../core/act/shutdownPlan';
import { createSavingsSources } from '../../providers/savingsSources';
import { vmSchedulerFor } from '../../providers/vmSchedulers';
import { ExitCode, printable, usageError, type CliIO, type Subcommand } from '../io';
import { cacheDir, numberOption } from '../savings';
import { cloudOptions, cloudOptionsUsage, fileJournal, schedulerOptions } from './journalFile';

const usage = `Usage: mlfinops act schedule --resource ID --schedule TEXT [options] [--yes]

Stops a running VM outside its working hours and starts it again: prints the plan (every resource touched, what is
created or changed, the monthly saving with its price source and date) and changes nothing without --yes. With
--yes it applies the plan and records what was there before in .finops/actions.json, so \`mlfinops act undo\` puts
it back exactly.

  AWS     an EventBridge Scheduler stop / start pair (default; needs --role-arn, the role policy is in the plan), or
          --mode instance-scheduler: the Schedule=<name> tag of AWS Instance Scheduler, with its schedule written
          to .finops/instance-scheduler/<name>.template.yaml
  GCP     an instance schedule resource policy, attached to the VM
  Azure   DevTest Labs auto-shutdown, and a note (.finops/azure/<vm>-start.md) on starting it again

Options:
  --resource ID             an EC2 instance id or ARN, projects/P/zones/Z/instances/NAME, or an Azure VM id
  --schedule TEXT           running hours, e.g. "Mon-Fri 08:00-19:00 Europe/Berlin" (no zone: UTC)
  --mode MODE               AWS: eventbridge (default) or instance-scheduler
  --role-arn ARN            AWS EventBridge: the role the schedules assume
  --hours-per-month N       the saving's baseline instance-hours a month (default: 730, as mlfinops savings)
  --month YYYY-MM           calendar month the saving is counted in (default: this month)
  --live                    price with live prices, as mlfinops savings --live
${cloudOptionsUsage}
  --format F                text or json (default: text)
  --yes                     apply the plan

Exit codes: 0 planned or applied, 2 usage error or a schedule the cloud cannot express, 3 a failed cloud call.`;

function planJson(plan: ShutdownPlan): unknown {
  return {
    resource: plan.facts.ref, size: plan.facts.size, region: plan.facts.region, state: plan.facts.state,
    schedule: plan.scheduleText, mode: plan.mode, runningHoursPerWeek: plan.runningHoursPerWeek,
    monthlySaving: plan.saving.monthlySaving, savingFraction: plan.saving.savingFraction, priceSource: { name: plan.priceSource.name, capturedAt: plan.priceSource.capturedAt },
    changes: plan.changes, documents: plan.documents.map((d) => ({ title: d.title, file: `.finops/${d.file}` })), notes: plan.notes,
  };
}

const command: Subcommand = {
  summary: 'a shutdown schedule for a running VM (EventBridge / Instance Scheduler, GCP policy, Azure auto-shutdown)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        resource: { type: 'string' }, schedule: { type: 'string' }, mode: { type: 'string' }, 'role-arn': { type: 'string' },
        'hours-per-month': { type: 'string' }, month: { type: 'string' }, live: { type: 'boolean' }, format: { type: 'string' }, yes: { type: 'boolean' },
        ...cloudOptions,
      },
      allowPositionals: false,
      strict: true,
    });
    if (!values.resource) throw usageError('--resource is required (the VM to schedule).');
    if (values.schedule === undefined) throw usageError('--schedule is required, e.g. --schedule "Mon-Fri 08:00-19:00 Europe/Berlin".');
    const mode = values.mode;
    if (mode !== undefined && mode !== 'eventbridge' && mode !== 'instance-scheduler') throw usageError(`--mode must be eventbridge or instance-scheduler (got "${mode}").`);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw usageError(`--format must be text or json (got "${format}").`);
    const hours = numberOption(values['hours-per-month'], 'hours-per-month', 1, 1_000_000) ?? HOURS_PER_MONTH;
    const now = new Date();
    const month = values.month !== undefined ? parseMonth(values.month) : { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 };
    const options = schedulerOptions(values, io);
    const live = values.live ?? false;
    const sources = createSavingsSources({
      live, aws: options.aws, azure: { retailPricesEndpoint: '' }, gcp: { projectId: io.env.GOOGLE_CLOUD_PROJECT ?? '', endpoint: options.gcp.endpoint }, cacheDir: cacheDir(io.env),
    });

    const { plan, scheduler } = await prepareSchedule({
      resource: values.resource, schedule: values.schedule, defaultTimeZone: 'UTC',
      scheduler: (ref) => vmSchedulerFor(ref.provider, options),
      saving: async (facts, schedule) => {
        const { prices } = await sources.resolver.resolve(facts.size, facts.region, { live });
        return scheduleSaving({ prices, hoursPerMonth: hours, month, schedule });
      },
      ...(mode ? { awsMode: mode as AwsScheduleMode } : {}),
      ...(values['role-arn'] ? { roleArn: values['role-arn'] } : {}),
    });

    if (!values.yes) {
      if (format === 'json') io.stdout(`${JSON.stringify({ applied: false, plan: planJson(plan) }, null, 2)}\n`);
      else io.stdout(`${planLines(plan).map(printable).join('\n')}\n\nNothing changed. Run again with --yes to apply this plan.\n`);
      return ExitCode.ok;
    }
    const store = fileJournal(io.cwd);
    const entry = await applySchedule(plan, scheduler, store);
    const written: string[] = [];
    for (const d of plan.documents) {
      const file = path.join(io.cwd, '.finops', d.file);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, d.content, 'utf8');
      written.push(path.join('.finops', d.file));
    }
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ applied: true, id: entry.id, plan: planJson(plan), documents: written }, null, 2)}\n`);
    } else {
      io.stdout(`${planLines(plan).map(printable).join('\n')}\n\nApplied (${entry.id}).${written.length ? ` Wrote ${written.join(', ')}.` : ''}\nUndo with: mlfinops act undo ${entry.id}\n`);
    }
    return ExitCode.ok;
  },
};

export default command;
