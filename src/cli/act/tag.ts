import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FinOpsError } from '../../core/errors';
import type { Cloud } from '../../core/policy/model';
import type { Resource } from '../../core/sources';
import { linkToIac } from '../../core/tagging/iacLink';
import { cloudChanges, cloudOf, formatOutcomes, formatPlan, keysToSet, planTags, suggestValues, tagTarget, targetLabel, type TagOutcome, type TagPlan, type TagTarget } from '../../core/tagging/plan';
import { iacDeclarations, readRunningResources, tagWriterFor, type TagWriterSettings } from '../../providers/tagWriters';
import { openBill, refuseSectionErrors } from '../bill';
import { ExitCode, printable, usageError, type CliIO, type Subcommand } from '../io';
import { readWorkspace } from '../workspace';

const usage = `Usage: mlfinops act tag --resource ID [--resource ID …] [--set KEY=VALUE …] [options]

Tags resources that already run: the required keys of the team tag policy (.finops.yaml) they lack,
with values suggested from their neighbours (same IaC module, project, account), and the change
(key: old → new) for each. Without --yes the plan is printed and nothing changes.

AWS resources are tagged through the Resource Groups Tagging API (EC2 through CreateTags), Google
Cloud VMs get labels (instances.setLabels; keys in their label spelling, values lowercase), Azure
resources get tags (Tags - Update At Scope, operation Merge). A resource declared in the workspace's
Terraform or CloudFormation is not tagged in the cloud (the next apply would revert it): the plan
names its declaration, where the missing-tag quick fix (or mlfinops lint) adds the tags.

Options:
  --resource ID          an AWS ARN, a Google Cloud instance (projects/P/zones/Z/instances/NAME) or an
                         Azure resource id; repeat for more
  --set KEY=VALUE        a policy key and its value; repeat for more. Without --set the plan lists the
                         keys each resource lacks and the suggested values
  --yes                  apply the plan
  --focus PATH           read current tags and neighbours from a bill (FOCUS or native export file,
                         folder or glob; repeatable) instead of the cloud's inventory
  --policy FILE          the tag policy (default: .finops.yaml found as the extension finds it)
  --format F             text or json (default: text)
  --profile NAME         AWS profile (default: AWS_PROFILE, else the SDK chain)
  --region R             AWS region of the inventory (default: AWS_REGION, else us-east-1)
  --endpoint URL         AWS endpoint override (an emulator, a VPC endpoint)
  --gcp-endpoint URL     Compute Engine endpoint override
  --azure-endpoint URL   Azure Resource Manager endpoint override

Credentials come from each cloud's SDK chain (AWS profiles / SSO, Google Application Default
Credentials or GOOGLE_OAUTH_ACCESS_TOKEN, Azure DefaultAzureCredential with AZURE_TENANT_ID).
IAM: tag:GetResources and ec2:DescribeInstances to read, tag:TagResources plus the service's own
tagging action (ec2:CreateTags, sagemaker:AddTags …) to write; compute.instances.get and
compute.instances.setLabels; Microsoft.Resources/tags/read and /write (Tag Contributor).

JSON: {"applied", "resources": [{"id", "cloud", "route" (cloud, iac or none), "changes": [{"key",
"old", "new"}], "declaredIn", "problems", "missing": [{"key", "suggestions": [{"value", "reason"}]}]}],
"outcomes": [{"id", "ok", "error"}]}.

Exit codes: 0 the plan printed (without --yes) or every change made; 1 some resources were not
tagged (a cloud refused them, or they are declared in IaC: fix them there); 2 usage error or a value
the policy refuses (nothing is changed then); 3 a cloud call that failed as a whole (signed out,
unreachable).`;

/** `Team=ml-research` → ['Team', 'ml-research']. */
function parseSet(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw usageError(`--set takes KEY=VALUE (got "${printable(text)}")`);
  return [text.slice(0, at).trim(), text.slice(at + 1)];
}

/** The resource a user named, among known ones: the exact id, the same id in another case, or the id an ARN ends in. */
function findResource(id: string, known: readonly Resource[]): Resource | undefined {
  return known.find((r) => r.id === id)
    ?? known.find((r) => r.id.toLowerCase() === id.toLowerCase())
    ?? (id.includes('/') || id.includes(':') ? undefined : known.find((r) => r.id.endsWith(`/${id}`) || r.id.endsWith(`:${id}`)));
}

function writerSettings(values: Partial<Record<'profile' | 'region' | 'endpoint' | 'gcp-endpoint' | 'azure-endpoint', string>>, io: CliIO): TagWriterSettings {
  return {
    aws: { profile: values.profile ?? io.env.AWS_PROFILE ?? '', region: values.region ?? io.env.AWS_REGION ?? 'us-east-1', endpoint: values.endpoint ?? '' },
    gcp: { endpoint: values['gcp-endpoint'] ?? '', ...(io.env.GOOGLE_OAUTH_ACCESS_TOKEN ? { accessToken: io.env.GOOGLE_OAUTH_ACCESS_TOKEN } : {}) },
    azure: { endpoint: values['azure-endpoint'] ?? '', ...(io.env.AZURE_TENANT_ID ? { tenantId: io.env.AZURE_TENANT_ID } : {}) },
  };
}

/** The resources named and their neighbours, from a bill or the clouds' inventories. */
async function knownResources(ids: readonly string[], focus: string[], settings: TagWriterSettings, loaded: Parameters<typeof openBill>[2], cwd: string): Promise<{ known: Resource[]; from: string }> {
  if (focus.length) {
    const source = openBill(focus, cwd, loaded);
    try {
      return { known: await source.listResources(), from: 'the bill' };
    } finally {
      source.dispose();
    }
  }
  return { known: await readRunningResources(ids, settings), from: 'the cloud' };
}

function planJson(plan: TagPlan, missing: Map<string, ReturnType<typeof missingWithSuggestions>>, applied: boolean, outcomes: readonly TagOutcome[]) {
  return {
    applied,
    policy: plan.policySource,
    resources: plan.resources.map((r) => ({
      id: r.target.id, cloud: r.target.cloud, route: r.route,
      changes: r.changes.map((c) => ({ key: c.writtenKey, old: c.old ?? null, new: c.value })),
      declaredIn: r.iac ? { address: r.iac.address, file: r.iac.file, line: r.iac.range.startLine, how: r.iac.how } : null,
      problems: r.problems,
      missing: missing.get(r.target.id) ?? [],
    })),
    outcomes,
  };
}

/** The keys a resource still lacks once the plan is applied, each with the values suggested for it. */
function missingWithSuggestions(policy: Parameters<typeof keysToSet>[0], target: TagTarget, values: Readonly<Record<string, string>>, neighbours: readonly TagTarget[]) {
  return keysToSet(policy, target).filter((k) => values[k.key] === undefined).map((k) => ({
    key: k.key, why: k.why, ...(k.current !== undefined ? { current: k.current } : {}),
    suggestions: suggestValues(policy, target, k.key, neighbours).slice(0, 5).map((s) => ({ value: s.value, reason: s.reason })),
  }));
}

const command: Subcommand = {
  summary: 'tag running resources with the policy\'s required keys (plan; --yes applies)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        resource: { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        yes: { type: 'boolean', default: false },
        focus: { type: 'string', multiple: true },
        policy: { type: 'string' },
        format: { type: 'string', default: 'text' },
        profile: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        'gcp-endpoint': { type: 'string' },
        'azure-endpoint': { type: 'string' },
      },
    });
    if (values.format !== 'text' && values.format !== 'json') throw usageError(`--format is text or json (got "${printable(values.format)}")`);
    const ids = [...new Set(values.resource ?? [])];
    if (!ids.length) throw usageError('--resource ID is required (an AWS ARN, a Google Cloud instance or an Azure resource id)');
    const sets: Record<string, string> = {};
    for (const s of values.set ?? []) {
      const [k, v] = parseSet(s);
      if (sets[k] !== undefined && sets[k] !== v) throw usageError(`--set ${printable(k)} is given twice with different values`);
      sets[k] = v;
    }
    if (values.yes && !Object.keys(sets).length) throw usageError('--yes needs at least one --set KEY=VALUE');

    const ws = await readWorkspace(io.cwd, values.policy);
    refuseSectionErrors({ ...ws.loaded, ...(ws.policyFile ? { file: ws.policyFile } : {}) }, ['tags']);
    const policy = ws.loaded.policy;
    const settings = writerSettings(values, io);
    const { known, from } = await knownResources(ids, values.focus ?? [], settings, ws.loaded, io.cwd);

    const targets: TagTarget[] = [];
    for (const id of ids) {
      const found = findResource(id, known);
      const target = found ? tagTarget(found) : (() => {
        const cloud: Cloud | undefined = cloudOf({ provider: '', id });
        return cloud ? { cloud, id, tags: {} } : undefined;
      })();
      if (!target) throw new FinOpsError('input', `"${printable(id)}" is not a resource id ML FinOps can tag, and ${from} does not list it.`, { fix: 'Give an AWS ARN, a Google Cloud instance (projects/P/zones/Z/instances/NAME) or an Azure resource id (/subscriptions/…); `mlfinops costs --group-by ResourceId` lists a bill\'s.' });
      if (!found) io.stderr(`mlfinops act tag: note: ${from} does not list ${printable(id)}; its current tags are taken as none.\n`);
      targets.push(target);
    }
    const neighbours = known.map(tagTarget).filter((t): t is TagTarget => t !== undefined);

    const { declared, state } = await iacDeclarations([ws.root]);
    const plan = planTags(policy, targets, sets, (t) => {
      const found = linkToIac(t, declared, state);
      // declarations are named relative to the workspace, as mlfinops lint names them
      return found && path.isAbsolute(found.file) ? { ...found, file: path.relative(ws.root, found.file).split(path.sep).join('/') } : found;
    });
    const missing = new Map(targets.map((t) => [t.id, missingWithSuggestions(policy, t, sets, neighbours)] as const));
    const refused = plan.resources.filter((r) => r.route === 'cloud' && r.problems.length);
    const toWrite = cloudChanges(plan);
    const apply = values.yes && !refused.length;

    const outcomes: TagOutcome[] = [];
    if (apply && toWrite.length) {
      for (const cloud of ['aws', 'gcp', 'azure'] as const) {
        const mine = toWrite.filter((r) => r.target.cloud === cloud);
        if (!mine.length) continue;
        const writer = await tagWriterFor(cloud, settings);
        outcomes.push(...await writer.write(mine.map((r) => ({ id: r.target.id, tags: Object.fromEntries(r.changes.map((c) => [c.writtenKey, c.value])) }))));
      }
    }

    if (values.format === 'json') {
      io.stdout(`${JSON.stringify(planJson(plan, missing, apply, outcomes), null, 2)}\n`);
    } else {
      const text = [formatPlan(plan)];
      for (const t of targets) {
        const m = missing.get(t.id) ?? [];
        if (!m.length) continue;
        text.push('', `Still lacking on ${targetLabel(t)}:`);
        for (const k of m) {
          text.push(`  ${k.key}${k.why === 'missing' ? '' : ` (now "${k.current}", ${k.why === 'placeholder' ? 'a placeholder' : 'refused by the policy'})`}${k.suggestions.length ? `: suggested ${k.suggestions.map((s) => `${s.value} (${s.reason})`).join('; ')}` : ': no value to suggest'}`);
        }
        text.push(`  Add them with --set KEY=VALUE.`);
      }
      if (outcomes.length) text.push('', formatOutcomes(outcomes));
      io.stdout(`${text.join('\n').split('\n').map(printable).join('\n')}\n`);
    }
    if (refused.length) {
      throw new FinOpsError('input', `Nothing was changed: ${plan.policySource} refuses ${refused.length === 1 ? 'a value' : 'some values'} (see above).`, { fix: 'Change the --set values to ones the policy allows.' });
    }
    if (!values.yes) {
      if (toWrite.length) io.stderr(`mlfinops act tag: nothing was changed. Read the plan, then run the same command with --yes to tag ${toWrite.length} resource${toWrite.length === 1 ? '' : 's'}.\n`);
      return ExitCode.ok;
    }
    const iac = plan.resources.filter((r) => r.route === 'iac');
    if (iac.length) io.stderr(`mlfinops act tag: ${iac.length} resource${iac.length === 1 ? ' is' : 's are'} declared in IaC and ${iac.length === 1 ? 'was' : 'were'} not tagged in the cloud: add the tags in the code (the editor's missing-tag quick fix, or see mlfinops lint).\n`);
    return outcomes.some((o) => !o.ok) || iac.length ? ExitCode.findings : ExitCode.ok;
  },
};

export default command;
