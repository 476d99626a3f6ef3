import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { generateDemo, writeDemo } from '../../../scripts/generateDemo';
import { FOCUS_COLUMNS } from '../../../src/core/cost/focusColumns';
import { shippedCatalogue } from '../../../src/core/pricing/shippedCatalogue';
import { DEMO_BILL } from '../../../src/providers/demo/demoBill';
import { IacResourceSource } from '../../../src/providers/iac/resourceSource';
import { readCsv } from '../cost/tinyCsv';

/**
 * The demo organisation (scripts/generateDemo.ts, demo/billing, demo/infra): a deterministic generator, a bill with
 * the promised story, prices from the shipped catalogue, and Terraform that declares the bill's resources.
 * Figures are read from the committed CSV with a small reader, independently of the product's DuckDB queries.
 */

const root = path.resolve(__dirname, '../../..');
type Row = Record<string, string | null>;
const bill: Row[] = readCsv(path.join(root, DEMO_BILL));
const num = (v: string | null | undefined): number => Number(v ?? 0);
const day = (r: Row): string => r.ChargePeriodStart!.slice(0, 10);
const parsedTags = new WeakMap<Row, Record<string, string>>();
const tagsOf = (r: Row): Record<string, string> => {
  let t = parsedTags.get(r);
  if (!t) { t = r.Tags ? (JSON.parse(r.Tags) as Record<string, string>) : {}; parsedTags.set(r, t); }
  return { ...t };
};
/** Policy key → the demo's tag: the key on AWS and Azure, the lowercase label on Google Cloud (CostCenter → cost_center). */
const tag = (r: Row, key: string): string | undefined => {
  const label = key === 'CostCenter' ? 'cost_center' : key.toLowerCase();
  return r.ProviderName === 'Google Cloud' ? tagsOf(r)[label] : tagsOf(r)[key];
};
const details = (r: Row): Record<string, string | number> => (r.SkuPriceDetails ? (JSON.parse(r.SkuPriceDetails) as Record<string, string | number>) : {});
const sum = (rows: readonly Row[], col = 'EffectiveCost'): number => rows.reduce((s, r) => s + num(r[col]), 0);
const close = (a: number, b: number, tol = 1e-6): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

describe('demo organisation: the generator', () => {
  it('is deterministic: the same CSV text on every run, equal to the committed bill, README up to date', () => {
    // a fresh run gives the committed text byte for byte; a second run (inside writeDemo) finds nothing to change
    const a = generateDemo();
    const committed = zlib.gunzipSync(fs.readFileSync(path.join(root, DEMO_BILL))).toString('utf8');
    assert.ok(committed === a.csv, 'demo/billing is out of date: run `npm run demo:generate`');
    assert.equal(a.rows, bill.length);
    assert.deepEqual(writeDemo(root, { check: true }).changed, [], 'run `npm run demo:generate`');
    assert.ok(zlib.gzipSync(a.csv, { level: 9 }).equals(zlib.gzipSync(committed, { level: 9 })), 'the same gzip bytes from the same text');
  });

  it('writes a FOCUS 1.2 file: every 1.2 column, ISO timestamps, allowed values', () => {
    const header = Object.keys(bill[0]!);
    // the column ids of the FOCUS 1.2 specification (the shared data beside the repository when present, else the product's list)
    const spec = path.join(root, '../shared/data/focus/focus_columns_by_version.json');
    const v12 = fs.existsSync(spec)
      ? (JSON.parse(fs.readFileSync(spec, 'utf8')) as { versions: Record<string, { columns: string[] }> }).versions['v1.2']!.columns
      : [...FOCUS_COLUMNS['1.2']];
    assert.deepEqual([...header].sort(), [...v12].sort(), 'the FOCUS 1.2 columns, no more, no fewer');
    assert.equal(header.length, 57);
    const iso = /^\d{4}-\d{2}-\d{2}T00:00:00Z$/;
    for (const r of bill) {
      for (const c of ['ChargePeriodStart', 'ChargePeriodEnd', 'BillingPeriodStart', 'BillingPeriodEnd']) assert.match(r[c]!, iso, c);
      assert.ok(['Usage', 'Purchase', 'Credit'].includes(r.ChargeCategory!), r.ChargeCategory!);
      assert.ok(r.PricingCategory === null || ['Standard', 'Dynamic', 'Committed'].includes(r.PricingCategory ?? ''), String(r.PricingCategory));
      assert.ok(['AWS', 'Google Cloud', 'Microsoft'].includes(r.ProviderName!));
      assert.equal(r.BillingCurrency, 'USD');
      for (const c of ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost']) assert.ok(Number.isFinite(Number(r[c])), c);
      if (r.ChargeCategory === 'Usage' && r.PricingCategory !== 'Committed') assert.ok(close(num(r.BilledCost), num(r.EffectiveCost)), 'usage is billed as used');
      if (r.ResourceId) assert.ok(r.ResourceName && r.ResourceType && r.SubAccountId, r.ResourceId);
    }
  });
});

describe('demo organisation: the story the bill tells', () => {
  const charges = bill.filter((r) => r.ChargeCategory !== 'Credit');
  const months = [...new Set(bill.map((r) => day(r).slice(0, 7)))].sort();

  it('an ML company of five teams with their projects, tens to hundreds of thousands of dollars a month', () => {
    const teams = new Map<string, Set<string>>();
    for (const r of bill) {
      const t = tag(r, 'Team');
      if (t) teams.set(t, (teams.get(t) ?? new Set()).add(tag(r, 'Project') ?? '?'));
    }
    assert.deepEqual([...teams.keys()].sort(), ['nlp', 'platform', 'recsys', 'speech', 'vision']);
    for (const [t, projects] of teams) assert.ok(projects.size >= 2 && !projects.has('?'), `${t}: ${[...projects].join(', ')}`);
    for (const r of charges) if (tag(r, 'Team')) for (const k of ['Project', 'Environment', 'CostCenter', 'Owner', 'Stage']) assert.ok(tag(r, k), `${r.ResourceName} lacks ${k}`);
    assert.deepEqual(new Set(charges.map((r) => tag(r, 'Stage')).filter(Boolean)), new Set(['training', 'inference', 'experimentation', 'data', 'ci']));
    assert.equal(months.length, 7);
    for (const m of months.slice(0, -1)) {
      const total = sum(bill.filter((r) => day(r).startsWith(m)));
      assert.ok(total > 50_000 && total < 500_000, `${m}: ${total}`);
    }
    for (const provider of ['AWS', 'Google Cloud', 'Microsoft']) assert.ok(sum(bill.filter((r) => r.ProviderName === provider)) > 50_000, provider);
  });

  it('GPU training bursts and steady inference on all three clouds, the instance type in SkuPriceDetails', () => {
    const types = (provider: string, stage: string) => new Set(charges.filter((r) => r.ProviderName === provider && tag(r, 'Stage') === stage).map((r) => String(details(r).InstanceType)));
    const has = (set: Set<string>, re: RegExp) => [...set].some((t) => re.test(t));
    assert.ok(has(types('AWS', 'training'), /^p4d\./) && has(types('AWS', 'training'), /^p5\./), 'p4d and p5 training on AWS');
    assert.ok(has(types('AWS', 'inference'), /^g5\./) && has(types('AWS', 'inference'), /^g6\./), 'g5 and g6 inference on AWS');
    assert.ok(has(types('Google Cloud', 'training'), /^a3-/) && has(types('Google Cloud', 'training'), /^a2-/), 'a3 and a2 training on Google Cloud');
    assert.ok(has(types('Google Cloud', 'inference'), /^g2-/), 'L4 (g2) inference on Google Cloud');
    assert.ok(has(types('Microsoft', 'training'), /^Standard_ND/), 'ND training on Azure');
    assert.ok(has(types('Microsoft', 'inference'), /_T4_/), 'T4 inference on Azure');
    for (const r of charges.filter((x) => x.ServiceSubcategory === 'Virtual Machines' && x.ResourceType !== 'Savings Plan' && x.ResourceType !== 'Commitment')) {
      const d = details(r);
      assert.ok(typeof d.InstanceType === 'string' && d.OperatingSystem === 'Linux', `${r.ResourceName}: ${r.SkuPriceDetails}`);
      if (/^(p4d|p5|g5|g6|g4dn|a3|a2|g2|Standard_N)/.test(String(d.InstanceType))) assert.ok(Number(d.GpuCount) >= 1 && /NVIDIA/.test(String(d.x_GpuModel)), String(d.InstanceType));
    }
    // training runs in bursts: new nodes per job, most days without a p4d node
    const p4dDays = new Set(charges.filter((r) => details(r).InstanceType === 'p4d.24xlarge').map(day));
    assert.ok(p4dDays.size > 20 && p4dDays.size < 170, `${p4dDays.size} days with p4d usage`);
  });

  it('notebooks left running at night and over weekends; checkpoint buckets that grow', () => {
    const weekend = (d: string) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
    const notebooks = charges.filter((r) => tag(r, 'Project') === 'notebooks');
    assert.ok(notebooks.some((r) => weekend(day(r)) && num(r.PricingQuantity) === 24), 'a notebook ran a whole weekend day');
    assert.ok(notebooks.some((r) => !weekend(day(r)) && num(r.PricingQuantity) < 13), 'notebooks used in office hours');
    for (const bucket of ['detector-checkpoints', 'ml-llm-checkpoints']) {
      const gb = (m: string) => { const rows = bill.filter((r) => r.ResourceName === bucket && day(r).startsWith(m)); return sum(rows, 'PricingQuantity'); };
      assert.ok(gb(months[5]!) > 1.5 * gb(months[0]!), `${bucket} grows: ${gb(months[0]!)} → ${gb(months[5]!)} GB-months`);
    }
  });

  it('a savings plan bought upfront and amortised; a CUD billed daily; unused commitment shown', () => {
    const purchases = bill.filter((r) => r.ChargeCategory === 'Purchase');
    const upfront = purchases.filter((r) => r.ChargeFrequency === 'One-Time');
    assert.equal(upfront.length, 1);
    const sp = upfront[0]!;
    assert.equal(num(sp.EffectiveCost), 0, 'a purchase carries no EffectiveCost: it is amortised into the usage it covers');
    const perDay = num(sp.BilledCost) / 365;
    const spDays = new Map<string, number>();
    for (const r of bill) if (r.CommitmentDiscountId === sp.CommitmentDiscountId && r.ChargeCategory === 'Usage') spDays.set(day(r), (spDays.get(day(r)) ?? 0) + num(r.EffectiveCost));
    assert.ok(spDays.size > 90);
    for (const [d, amortised] of spDays) assert.ok(close(amortised, perDay, 1e-6), `${d}: ${amortised} of ${perDay} amortised`);
    assert.ok(bill.some((r) => r.CommitmentDiscountId === sp.CommitmentDiscountId && r.CommitmentDiscountStatus === 'Unused'));
    for (const r of bill.filter((x) => x.CommitmentDiscountStatus === 'Used')) assert.equal(num(r.BilledCost), 0, 'covered usage is not billed again');
    // the CUD: a recurring daily fee, equal to the EffectiveCost of the usage it covers plus what went unused
    const fees = purchases.filter((r) => r.ChargeFrequency === 'Recurring');
    assert.ok(fees.length > 150);
    for (const fee of fees) {
      const covered = bill.filter((r) => r.CommitmentDiscountId === fee.CommitmentDiscountId && r.ChargeCategory === 'Usage' && day(r) === day(fee));
      assert.ok(close(sum(covered), num(fee.BilledCost)), `${day(fee)}: ${sum(covered)} vs ${fee.BilledCost}`);
    }
    // over the bill, BilledCost exceeds EffectiveCost by the prepaid part of the savings plan
    assert.ok(sum(bill, 'BilledCost') > sum(bill));
  });

  it('credits are negative and apart from charges; about a tenth of the spend is untagged', () => {
    const credits = bill.filter((r) => r.ChargeCategory === 'Credit');
    assert.ok(credits.length > 10 && credits.every((r) => num(r.BilledCost) < 0 && num(r.EffectiveCost) < 0));
    assert.ok(new Set(credits.map((r) => r.ProviderName)).size >= 2, 'credits from more than one cloud');
    const untagged = sum(charges.filter((r) => !tag(r, 'Team'))) / sum(charges);
    assert.ok(untagged > 0.08 && untagged < 0.12, `untagged share of charges: ${untagged}`);
    for (const m of months) {
      const inMonth = charges.filter((r) => day(r).startsWith(m));
      const share = sum(inMonth.filter((r) => !tag(r, 'Team'))) / sum(inMonth);
      assert.ok(share > 0.05 && share < 0.15, `${m}: ${share}`);
    }
  });

  it('one clear anomaly: the biggest day-over-day jump of any team, at least twice the next', () => {
    const daily = new Map<string, Map<string, number>>();
    for (const r of bill) {
      const t = tag(r, 'Team') ?? '(untagged)';
      const m = daily.get(t) ?? new Map<string, number>();
      m.set(day(r), (m.get(day(r)) ?? 0) + num(r.EffectiveCost));
      daily.set(t, m);
    }
    const days = [...new Set(bill.map(day))].sort();
    const jumps: { team: string; day: string; jump: number }[] = [];
    for (const [team, m] of daily) for (let i = 1; i < days.length; i++) jumps.push({ team, day: days[i]!, jump: (m.get(days[i]!) ?? 0) - (m.get(days[i - 1]!) ?? 0) });
    jumps.sort((a, b) => b.jump - a.jump);
    assert.deepEqual([jumps[0]!.team, jumps[0]!.day], ['recsys', '2026-10-14']);
    assert.ok(jumps[0]!.jump > 2 * jumps[1]!.jump, `${jumps[0]!.jump} vs ${jumps[1]!.jump} (${jumps[1]!.team} ${jumps[1]!.day})`);
    const total = (d: string) => sum(bill.filter((r) => day(r) === d));
    assert.equal(days.reduce((best, d) => (total(d) > total(best) ? d : best)), '2026-10-14', 'the costliest day of the bill');
  });
});

describe('demo organisation: prices from the shipped catalogue', () => {
  it('every VM line is priced at the catalogue\'s on-demand, spot, savings plan or CUD rate', () => {
    const cat = shippedCatalogue();
    let checked = 0;
    for (const r of bill) {
      const type = details(r).InstanceType;
      if (typeof type !== 'string' || r.CommitmentDiscountStatus === 'Unused') continue;
      const p = cat.prices(type, r.RegionId!);
      const hours = num(r.PricingQuantity);
      const rate = num(r.EffectiveCost) / hours;
      assert.ok(close(num(r.ListUnitPrice), p.onDemand.hourly, 1e-9), `${type} list price`);
      const want = r.PricingCategory === 'Standard' ? p.onDemand.hourly
        : r.PricingCategory === 'Dynamic' ? p.spot!.hourly
          : r.ProviderName === 'AWS' ? p.commitments.find((c) => c.kind === 'reservedInstance' && c.offering === 'convertible' && c.term === 1 && c.payment === 'allUpfront')!.effectiveHourly
            : p.commitments.find((c) => c.kind === 'committedUse' && c.term === 1)!.effectiveHourly;
      assert.ok(close(rate, want, 1e-5), `${r.ResourceName} ${day(r)}: ${rate} vs ${want} (${r.PricingCategory})`);
      checked += 1;
    }
    assert.ok(checked > 10_000);
  });
});

describe('demo organisation: the Terraform declares the bill\'s resources', () => {
  /** Terraform address → the bill's resources it declares (by ResourceName). */
  const declared: [string, RegExp][] = [
    ['aws_instance.notebook', /^research-notebook$/],
    ['aws_instance.detector_serving', /^detector-serving-[0-5]$/],
    ['aws_instance.detector_serving_staging', /^detector-serving-staging-[01]$/],
    ['aws_instance.asr_serving', /^asr-serving-l4-[0-3]$/],
    ['aws_instance.ci_gpu_runner', /^ci-gpu-runner-[0-3]$/],
    ['aws_launch_template.detector_trainer', /^detector-v3-train-j\d+-\d$/],
    ['aws_launch_template.llm_finetune', /^llm-finetune-train-j\d+-\d$/],
    ['aws_s3_bucket.datasets', /^mlorg-datasets$/],
    ['aws_s3_bucket.checkpoints', /^detector-checkpoints$/],
    ['google_compute_instance.llm_pretrain', /^llm-pretrain-0$/],
    ['google_compute_instance.llm_finetune', /^llm-finetune$/],
    ['google_compute_instance.chat_serving', /^chat-serving-[0-3]$/],
    ['google_storage_bucket.llm_checkpoints', /^ml-llm-checkpoints$/],
    ['azurerm_linux_virtual_machine.ranker_serving', /^vm-ranker-serving-[0-7]$/],
    ['azurerm_linux_virtual_machine_scale_set.ranker_sweep', /^vmss-ranker-sweep$/],
    ['azurerm_linux_virtual_machine.asr_train', /^vm-asr-train-[0-3]$/],
    ['azurerm_storage_account.features', /^mlrecsysfeatures$/],
  ];

  it('with the same names, instance types, regions and tags (launched nodes carry the template\'s instance tags)', async () => {
    const iac = await new IacResourceSource(() => [path.join(root, 'demo/infra')]).listResources();
    assert.deepEqual(iac.map((r) => r.id).sort(), declared.map(([a]) => a).sort(), 'every declared resource is in the bill');
    for (const [address, names] of declared) {
      const tf = iac.find((r) => r.id === address)!;
      const rows = bill.filter((r) => r.ResourceName && names.test(r.ResourceName));
      assert.ok(rows.length > 0, `${address}: no line in the bill`);
      const expectedNames = new Set(rows.map((r) => r.ResourceName));
      for (const name of expectedNames) {
        const row = rows.find((r) => r.ResourceName === name)!;
        const billTags = tagsOf(row);
        delete billTags.Name;
        const tfTags: Record<string, string> = { ...tf.tags };
        delete tfTags.Name;
        if (address.startsWith('aws_launch_template.')) delete tfTags.ManagedBy; // nodes are launched by the scheduler, not by Terraform
        for (const k of Object.keys(tfTags)) if (row.ProviderName === 'Google Cloud' && k !== k.toLowerCase()) delete tfTags[k]; // an invalid label never reaches GCP
        assert.deepEqual(billTags, tfTags, `${address} → ${name}`);
        if (tf.size) assert.equal(details(row).InstanceType, tf.size, `${address} → ${name}: instance type`);
        assert.equal(row.RegionId, tf.region!.toLowerCase(), `${address} → ${name}: region`);
        if (row.ProviderName === 'Google Cloud' && tf.type === 'google_compute_instance') assert.match(row.ResourceId!, new RegExp(`^//compute\\.googleapis\\.com/projects/ml-[a-z-]+/zones/us-central1-a/instances/${name}$`));
        if (row.ProviderName === 'Microsoft') assert.match(row.ResourceId!, new RegExp(`^/subscriptions/3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-[a-z-]+/providers/Microsoft\\.[A-Za-z]+/[A-Za-z]+/${name}$`));
        if (tf.type === 'aws_s3_bucket') assert.equal(row.ResourceId, name);
      }
    }
  });

  it('its deliberate tagging mistakes are visible in the bill as untagged spend', () => {
    const cost = (name: string) => sum(bill.filter((r) => r.ResourceName === name));
    for (const name of ['research-notebook', 'detector-checkpoints', 'llm-finetune']) {
      assert.ok(cost(name) > 1000, name);
      assert.ok(bill.filter((r) => r.ResourceName === name).every((r) => !tag(r, 'Team')), `${name} has no Team`);
    }
    assert.ok(bill.filter((r) => /^asr-serving-l4-/.test(r.ResourceName ?? '')).every((r) => tag(r, 'Environment') === 'prod'));
  });
});
