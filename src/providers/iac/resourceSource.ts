import * as path from 'node:path';
import type { DeclaredResource } from '../../core/iac/model';
import { IacWorkspace } from '../../core/iac/workspace';
import { defaultPolicy } from '../../core/policy/defaults';
import type { Cloud } from '../../core/policy/model';
import { throwIfAborted } from '../../core/ports';
import { shippedCatalogue } from '../../core/pricing/shippedCatalogue';
import { estimateDeclared } from '../../core/savings/declared';
import type { SourceFactory } from '../registry';
import type { Resource, ResourceSource } from '../../core/sources';
import { collectIacFiles } from './files';

const providerNames: Record<Cloud, string> = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Microsoft' };

/**
 * A declared resource as the views see it. `declaredIn.range` is 1-based (line and column of the
 * `resource "type" "name"` header, or of a CloudFormation logical id), like SARIF and `mlfinops lint`.
 */
function toResource(r: DeclaredResource, baseline: PricingBaseline | undefined): Resource {
  const estimate = baseline ? estimateDeclared(shippedCatalogue(), { provider: r.cloud, type: r.type, ...(r.size ? { size: r.size } : {}), ...(r.region ? { region: r.region } : {}), instances: r.instances }, baseline) : undefined;
  return {
    provider: providerNames[r.cloud],
    id: r.address,
    type: r.type,
    name: r.name,
    tags: { ...r.tags },
    ...(r.region ? { region: r.region } : {}),
    ...(r.size ? { size: r.size } : {}),
    attributes: { source: 'Infrastructure as code', tagsComplete: String(r.tagsComplete) },
    declaredIn: {
      file: r.file,
      range: { startLine: r.range.start.line + 1, startColumn: r.range.start.character + 1, endLine: r.range.end.line + 1, endColumn: r.range.end.character + 1 },
    },
    ...(estimate ? {
      cost: {
        amount: estimate.total, currency: 'USD', period: baseline!.month,
        estimate: {
          hoursPerMonth: estimate.hoursPerMonth, hourly: estimate.hourly, instanceType: estimate.instanceType, region: estimate.region, source: estimate.source.name, capturedAt: estimate.source.capturedAt,
          ...(r.instances !== undefined ? { instances: r.instances } : {}),
        },
      },
    } : {}),
  };
}

/** How declared machines are priced: the code lenses' baseline hours and default AWS region, and the month it is for. */
interface PricingBaseline {
  hoursPerMonth: number;
  awsRegion: string;
  month: { start: string; end: string };
}

/** The calendar month containing `now` (UTC), half-open. */
function monthOf(now: Date): { start: string; end: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

/**
 * The resources declared in Terraform and CloudFormation under some folders, with the tags they will carry
 * (resource tags merged over provider default tags/labels; only what is known statically). Works offline.
 */
export class IacResourceSource implements ResourceSource {
  readonly id = 'iac';
  readonly label = 'Infrastructure as code';

  /**
   * `pricing`: machines with an instance type get a monthly on-demand estimate from the shipped catalogue, the same
   * figure as their code lens (src/core/savings/declared.ts); without it resources carry no cost.
   */
  constructor(private readonly roots: () => readonly string[], private readonly pricing?: () => { hoursPerMonth: number; awsRegion: string }) {}

  async listResources(signal?: AbortSignal): Promise<Resource[]> {
    const ws = new IacWorkspace({ policy: defaultPolicy(), reportUnknown: false, details: true });
    const roots = this.roots();
    for (const root of roots) {
      throwIfAborted(signal);
      await collectIacFiles([root], ws, { signal });
    }
    const { resources } = ws.analyze(undefined, signal);
    const baseline = this.pricing ? { ...this.pricing(), month: monthOf(new Date()) } : undefined;
    const out = resources.map((r) => toResource(r, baseline));
    // the same address in two Terraform roots is two resources: each keeps its own id (and its own cost)
    const seen = new Map<string, number>();
    for (const r of out) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
    for (const r of out) {
      if ((seen.get(r.id) ?? 0) < 2) continue;
      const file = r.declaredIn!.file;
      const root = roots.find((x) => file.startsWith(x.endsWith(path.sep) ? x : x + path.sep));
      r.id = `${r.id} (${(root ? path.relative(root, file) : file).split(path.sep).join('/')})`;
    }
    return out.sort((a, b) => a.id.localeCompare(b.id) || (a.declaredIn!.file < b.declaredIn!.file ? -1 : 1));
  }
}

/** The IaC source for the source registry (static analysis only, so it runs in untrusted workspaces too). */
export function iacSourceFactory(roots: () => readonly string[]): SourceFactory {
  return {
    kind: 'iac',
    create(settings) {
      const resources = new IacResourceSource(roots, () => ({ hoursPerMonth: settings['savings.hoursPerMonth'], awsRegion: settings['aws.region'] }));
      return [{
        id: 'iac',
        kind: 'iac',
        label: resources.label,
        resources,
        async check(signal) {
          const list = await resources.listResources(signal);
          return `${list.length} declared resource${list.length === 1 ? '' : 's'} found in Terraform and CloudFormation files.`;
        },
      }];
    },
  };
}
