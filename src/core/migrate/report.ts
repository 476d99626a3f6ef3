import { providerLabels } from '../pricing/model';
import { mdText } from '../markdown';
import { sourceLine } from '../savings/report';
import { perHour, usd } from '../savings/estimate';
import { describeShape } from './mapping';
import { optionLabels, type MigrationEstimate, type OptionKey, type OptionTotal } from './estimate';

/** The renderings of one MigrationEstimate: a terminal table, JSON and Markdown with a migration checklist. */

const gib = (n: number) => `${n.toLocaleString('en-US', { maximumFractionDigits: n < 10 ? 1 : 0 })} GiB`;
const label = (w: { id: string; name?: string }) => w.name ?? w.id;

export function estimateTitle(e: MigrationEstimate): string {
  return `Moving to ${providerLabels[e.target]} (${e.targetRegion}): ${e.basis}`;
}

/** "saves $1,234.00 a month" / "costs $12.00 a month more". */
export function differenceText(d: number): string {
  return d <= 0 ? `saves ${usd(-d)} a month` : `costs ${usd(d)} a month more`;
}

export function breakEvenText(t: OptionTotal, oneOff: number): string {
  if (t.breakEvenMonth === null) return 'never (no monthly saving)';
  return oneOff === 0 ? 'month 1 (no transfer cost)' : `month ${t.breakEvenMonth}`;
}

function pad(rows: string[][], right: Set<number>): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

const priced = (p: { kind: string; monthly?: number }) => (p.kind === 'priced' && p.monthly !== undefined ? usd(p.monthly) : 'not estimated');

export function estimateToTable(e: MigrationEstimate): string {
  const out = [estimateTitle(e), `Target region: ${e.targetRegion} (${e.regionReason}).`, ''];
  if (e.compute.length) {
    const rows = [['Resource', 'From', 'To', 'Now/mo', 'On-demand', 'Spot', '1-year', '3-year']];
    for (const c of e.compute) {
      rows.push([label(c.workload), c.workload.instanceType, c.match ? `${c.match.machines > 1 ? `${c.match.machines} × ` : ''}${c.match.instanceType}` : '—', usd(c.workload.currentMonthlyCost),
        priced(c.options.onDemand), priced(c.options.spot), priced(c.options.commit1y), priced(c.options.commit3y)]);
    }
    out.push('Compute', ...pad(rows, new Set([3, 4, 5, 6, 7])), '');
    for (const c of e.compute) out.push(`  ${label(c.workload)}: ${c.match?.explanation ?? `not estimated: ${c.notMapped ?? ''}`}`);
    out.push('');
  }
  if (e.storage.length) {
    const rows = [['Resource', 'Stored', 'Now/mo', 'Target/mo']];
    for (const s of e.storage) rows.push([label(s.workload), gib(s.workload.storedGiB), usd(s.workload.currentMonthlyCost), s.target.kind === 'priced' ? usd(s.target.monthly) : 'not estimated']);
    out.push('Storage', ...pad(rows, new Set([1, 2, 3])), '');
  }
  if (e.transfer.length) {
    out.push('One-off data transfer (internet egress from the source):');
    for (const t of e.transfer) out.push(`  ${providerLabels[t.provider]} ${t.region}: ${gib(t.gib)} → ${t.cost.kind === 'priced' ? usd(t.cost.cost) : `not estimated: ${t.cost.reason}`}`);
    out.push(`  Total: ${usd(e.oneOffTransfer)}`, '');
  }
  const rows = [['Option', 'Now/mo', 'Target/mo', 'Difference', 'Break-even']];
  for (const t of e.totals) rows.push([optionLabels[t.option], usd(e.comparedCurrentMonthly), usd(t.targetMonthly), differenceText(t.monthlyDifference), breakEvenText(t, e.oneOffTransfer)]);
  out.push(...pad(rows, new Set([1, 2])), '');
  if (e.notes.length) out.push('Notes:', ...e.notes.map((n) => `  - ${n}`), '');
  out.push('Sources:', ...e.sources.map((s) => `  ${sourceLine(s)}`), '', 'Use --format markdown for the migration checklist, or --format json.', '');
  return out.join('\n');
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/** JSON output: one object, figures rounded to cents. */
export function estimateToJson(e: MigrationEstimate): unknown {
  const option = (p: MigrationEstimate['compute'][number]['options'][OptionKey]) =>
    p.kind === 'priced' ? { monthly: r2(p.monthly), hourly: p.hourly, detail: p.detail, source: p.source.name, capturedAt: p.source.capturedAt } : { notEstimated: p.reason };
  return {
    target: e.target, targetRegion: e.targetRegion, regionReason: e.regionReason, basis: e.basis,
    currentMonthly: r2(e.currentMonthly), comparedCurrentMonthly: r2(e.comparedCurrentMonthly), oneOffTransfer: r2(e.oneOffTransfer),
    totals: e.totals.map((t) => ({ option: t.option, targetMonthly: r2(t.targetMonthly), monthlyDifference: r2(t.monthlyDifference), breakEvenMonth: t.breakEvenMonth, atOnDemand: t.atOnDemand })),
    compute: e.compute.map((c) => ({
      id: c.workload.id, name: c.workload.name ?? null, from: { provider: c.workload.provider, region: c.workload.region, instanceType: c.workload.instanceType },
      hoursPerMonth: c.workload.hoursPerMonth, currentMonthly: r2(c.workload.currentMonthlyCost),
      to: c.match ? { instanceType: c.match.instanceType, machines: c.match.machines, match: c.match.kind, explanation: c.match.explanation } : null,
      ...(c.notMapped ? { notEstimated: c.notMapped } : {}),
      options: { onDemand: option(c.options.onDemand), spot: option(c.options.spot), commit1y: option(c.options.commit1y), commit3y: option(c.options.commit3y) },
    })),
    storage: e.storage.map((s) => ({
      id: s.workload.id, name: s.workload.name ?? null, region: s.workload.region, storedGiB: r2(s.workload.storedGiB), currentMonthly: r2(s.workload.currentMonthlyCost),
      target: s.target.kind === 'priced' ? { monthly: r2(s.target.monthly), perGiBMonth: s.target.perGiBMonth, source: s.target.source.name } : { notEstimated: s.target.reason },
    })),
    transfer: e.transfer.map((t) => ({ provider: t.provider, region: t.region, gib: r2(t.gib), resources: t.resources, ...(t.cost.kind === 'priced' ? { cost: r2(t.cost.cost), tiers: t.cost.charges.map((c) => ({ fromGiB: r2(c.fromGiB), toGiB: r2(c.toGiB), perGiB: c.perGiB, cost: r2(c.cost) })), source: t.cost.source.name } : { notEstimated: t.cost.reason }) })),
    other: e.other.map((o) => ({ id: o.id, name: o.name ?? null, service: o.service ?? null, currentMonthly: r2(o.currentMonthlyCost) })),
    notes: e.notes,
    sources: e.sources.map((s) => ({ name: s.name, capturedAt: s.capturedAt, ...(s.url ? { url: s.url } : {}) })),
  };
}

const cell = mdText;

const targetStorage: Record<MigrationEstimate['target'], string> = { aws: 'Amazon S3', gcp: 'Cloud Storage', azure: 'Azure Blob Storage' };
const targetIam: Record<MigrationEstimate['target'], string> = {
  aws: 'IAM roles and instance profiles (least privilege per workload); SSO permission sets for people',
  gcp: 'service accounts per workload with predefined roles; Workload Identity Federation for CI instead of keys',
  azure: 'managed identities per workload with Azure RBAC role assignments; Entra ID groups for people',
};
const targetQuota: Record<MigrationEstimate['target'], string> = {
  aws: 'Service Quotas: "Running On-Demand P instances" / "G and VT instances" (vCPU-based) and the Spot equivalents',
  gcp: 'Compute Engine quotas: NVIDIA_<MODEL>_GPUS and PREEMPTIBLE_NVIDIA_<MODEL>_GPUS per region, plus GPUS_ALL_REGIONS',
  azure: 'vCPU quota per VM family (e.g. "Standard NCADS_A100_v4 Family vCPUs") and the regional Spot vCPU quota',
};

/** The estimate and a migration checklist filled with the selected resources, as Markdown. */
export function estimateToMarkdown(e: MigrationEstimate, options: { selection?: string; generatedOn?: string } = {}): string {
  const L: string[] = [`# ${estimateTitle(e)}`, ''];
  if (options.selection) L.push(`Selection: ${options.selection}.`);
  L.push(`Target region: **${e.targetRegion}** (${e.regionReason}).${options.generatedOn ? ` Estimated on ${options.generatedOn}.` : ''}`, '');
  const od = e.totals.find((t) => t.option === 'onDemand');
  if (od) {
    L.push(`**On-demand on ${providerLabels[e.target]} ${differenceText(od.monthlyDifference)}** (${usd(od.targetMonthly)} against ${usd(e.comparedCurrentMonthly)} now); one-off transfer ${usd(e.oneOffTransfer)}; break-even: ${breakEvenText(od, e.oneOffTransfer)}.`, '');
  }
  L.push('## Summary', '', '| Option | Now / month | Target / month | Difference | Break-even |', '|---|---:|---:|---|---|');
  for (const t of e.totals) L.push(`| ${optionLabels[t.option]} | ${usd(e.comparedCurrentMonthly)} | ${usd(t.targetMonthly)} | ${differenceText(t.monthlyDifference)} | ${breakEvenText(t, e.oneOffTransfer)}${t.atOnDemand.length ? ` (${t.atOnDemand.length} at on-demand)` : ''} |`);
  L.push('');
  if (e.compute.length) {
    L.push('## Compute', '', '| Resource | Now | Hours / month | Now / month | Target | On-demand | Spot | 1-year | 3-year |', '|---|---|---:|---:|---|---:|---:|---:|---:|');
    for (const c of e.compute) {
      const to = c.match ? `${c.match.machines > 1 ? `${c.match.machines} × ` : ''}${c.match.instanceType}` : 'not estimated';
      L.push(`| ${cell(label(c.workload))} | ${cell(`${c.workload.instanceType} (${c.workload.provider} ${c.workload.region})`)} | ${c.workload.hoursPerMonth.toLocaleString('en-US', { maximumFractionDigits: 1 })} | ${usd(c.workload.currentMonthlyCost)} | ${to} | ${priced(c.options.onDemand)} | ${priced(c.options.spot)} | ${priced(c.options.commit1y)} | ${priced(c.options.commit3y)} |`);
    }
    L.push('');
    for (const c of e.compute) {
      L.push(`- **${cell(label(c.workload))}**: ${c.match ? `${c.match.explanation} (${describeShape(c.match.shape)}${c.options.onDemand.kind === 'priced' ? `, ${perHour(c.options.onDemand.hourly)}` : ''})` : `not estimated: ${c.notMapped ?? ''}`}`);
      for (const k of ['spot', 'commit1y', 'commit3y'] as const) {
        const o = c.options[k];
        if (o.kind === 'notEstimated') L.push(`  - ${optionLabels[k]}: not estimated: ${o.reason}.`);
      }
    }
    L.push('');
  }
  if (e.storage.length) {
    L.push('## Storage', '', '| Resource | Region | Stored (average) | Now / month | Target / month |', '|---|---|---:|---:|---:|');
    for (const s of e.storage) L.push(`| ${cell(label(s.workload))} | ${cell(s.workload.region)} | ${gib(s.workload.storedGiB)} | ${usd(s.workload.currentMonthlyCost)} | ${s.target.kind === 'priced' ? `${usd(s.target.monthly)} (${s.target.storageClass}, $${s.target.perGiBMonth}/GiB-month)` : `not estimated: ${s.target.reason}`} |`);
    L.push('');
  }
  if (e.transfer.length) {
    L.push('## One-off data transfer', '', '| From | Data | Tiers | Cost |', '|---|---:|---|---:|');
    for (const t of e.transfer) {
      const tiers = t.cost.kind === 'priced' ? t.cost.charges.map((c) => `${gib(c.toGiB - c.fromGiB)} × $${c.perGiB}`).join(' + ') : '—';
      L.push(`| ${providerLabels[t.provider]} ${cell(t.region)} (${t.resources.map(cell).join(', ')}) | ${gib(t.gib)} | ${tiers} | ${t.cost.kind === 'priced' ? usd(t.cost.cost) : `not estimated: ${t.cost.reason}`} |`);
    }
    L.push(`| **Total** | ${gib(e.transfer.reduce((s, t) => s + t.gib, 0))} | | **${usd(e.oneOffTransfer)}** |`, '');
  }
  if (e.other.length) {
    L.push('## Not re-priced', '', ...e.other.map((o) => `- ${cell(label(o))}${o.service ? ` (${cell(o.service)})` : ''}: ${usd(o.currentMonthlyCost)} a month now`), '');
  }
  L.push(...checklist(e));
  if (e.notes.length) L.push('## Assumptions', '', ...e.notes.map((n) => `- ${n}`), '');
  L.push('## Sources', '', ...e.sources.map((s) => `- ${s.url ? `[${sourceLine(s)}](${s.url})` : sourceLine(s)}`), '');
  return L.join('\n');
}

function checklist(e: MigrationEstimate): string[] {
  const t = providerLabels[e.target];
  const machines = e.compute.filter((c) => c.match);
  const gpuNeeds = new Map<string, number>();
  for (const c of machines) {
    const s = c.match!.shape;
    if (!s.gpus) continue;
    const concurrent = Math.max(1, Math.ceil(c.workload.hoursPerMonth / 730 - 1e-9)) * c.match!.machines;
    gpuNeeds.set(s.gpuModel ?? 'GPU', (gpuNeeds.get(s.gpuModel ?? 'GPU') ?? 0) + concurrent * s.gpus);
  }
  const L = ['## Migration checklist', ''];
  L.push('### Data transfer plan');
  for (const tr of e.transfer) L.push(`- [ ] Copy ${tr.resources.map((r) => `\`${r.replace(/[`\r\n\u2028\u2029]+/g, ' ')}\``).join(', ')} (${gib(tr.gib)}) from ${providerLabels[tr.provider]} ${cell(tr.region)} to ${targetStorage[e.target]} in ${e.targetRegion}; verify object counts and checksums.`);
  if (!e.transfer.length) L.push('- [ ] No stored data in the selection: check for datasets and checkpoints the workloads read from elsewhere.');
  L.push('- [ ] Ask the source cloud for its egress waiver for customers leaving, before the copy starts.', '- [ ] Freeze writes (or sync the changes) for the cut-over window.', '');
  L.push('### IAM');
  L.push(`- [ ] Recreate the identities the workloads use as ${targetIam[e.target]}.`);
  for (const c of machines) L.push(`- [ ] \`${label(c.workload)}\`: its own identity with only the buckets and services it reads and writes.`);
  L.push('');
  L.push('### Networking');
  L.push(`- [ ] VPC / VNet, subnets and firewall rules in ${e.targetRegion} matching the source's; private access to ${targetStorage[e.target]}.`, '- [ ] Connectivity back to the source during the move (VPN or interconnect) and its egress.', '');
  L.push(`### GPU quotas on ${t}`);
  if (gpuNeeds.size) for (const [model, n] of gpuNeeds) L.push(`- [ ] ${n} × ${model} in ${e.targetRegion} (${targetQuota[e.target]}).`);
  else L.push(`- [ ] vCPU quota in ${e.targetRegion} for the machines below.`);
  for (const c of machines) L.push(`- [ ] \`${label(c.workload)}\` → ${c.match!.machines > 1 ? `${c.match!.machines} × ` : ''}${c.match!.instanceType}: capacity available in the zones you will use (GPU shapes are not in every zone).`);
  L.push('');
  L.push('### Images and containers');
  L.push(`- [ ] Rebuild machine images (CUDA driver, NCCL, framework versions) for ${t}, or run the same containers from a registry in ${e.targetRegion}.`, '- [ ] Re-run a short training or inference benchmark on each new shape before moving production.', '');
  L.push('### DNS');
  L.push('- [ ] Lower the TTL of the names the workloads serve a day ahead; switch them at cut-over; keep the old records until the rollback window ends.', '');
  L.push('### Rollback plan');
  L.push(`- [ ] Keep the source resources (${[...e.compute, ...e.storage].map((w) => `\`${label(w.workload)}\``).join(', ') || 'none selected'}) stopped, not deleted, until the new ones have run a full cycle.`, '- [ ] Write down the switch-back steps (DNS, data written since the cut-over) and who decides.', '');
  return L;
}
