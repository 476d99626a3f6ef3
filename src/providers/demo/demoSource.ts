import * as path from 'node:path';
import { tagAliasesFromPolicy, type TagAliases } from '../../core/cost/tags';
import { defaultPolicy } from '../../core/policy/defaults';
import type { Logger } from '../../core/ports';
import type { Settings } from '../../core/settings';
import { DuckDbEngine } from '../focus/duckdb';
import { FocusFileSource } from '../focus/focusFileSource';
import { describeFiles } from '../focus/sourceFactory';
import type { SourceContext, SourceEntry, SourceFactory } from '../registry';
import { DEMO_BILL, DEMO_COVERAGE, DEMO_LABEL, DEMO_PERIOD } from './demoBill';

const DEMO_SOURCE_ID = 'demo';

/**
 * The demo bill carries the policy's keys itself (Team, Project, … on AWS and Azure; the labels team, project,
 * cost_center … on Google Cloud). The workspace policy's names apply; without a policy file, the default policy's,
 * so the Google Cloud labels are found in any workspace.
 */
export function demoTagAliases(base?: TagAliases): TagAliases {
  return base ?? tagAliasesFromPolicy(defaultPolicy());
}

interface DemoSourceOptions {
  /** The extension's install folder (ExtensionContext.extensionPath), or the repository root. */
  extensionRoot: string;
  engine?: DuckDbEngine;
  tagAliases?: TagAliases;
  logger?: Logger;
}

/** A cost and resource source over the shipped demo bill; it needs no credentials and no settings. */
export function createDemoSource(options: DemoSourceOptions): FocusFileSource {
  return new FocusFileSource({
    id: DEMO_SOURCE_ID,
    label: DEMO_LABEL,
    paths: [path.join(options.extensionRoot, DEMO_BILL)],
    baseDir: options.extensionRoot,
    engine: options.engine,
    tagAliases: demoTagAliases(options.tagAliases),
    logger: options.logger,
    resources: { period: () => DEMO_PERIOD },
  });
}

/** "1 May – 15 Nov 2026", the dates the demo bill holds. */
function coverageLabel(): string {
  const fmt = (d: string, year: boolean) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' });
  const last = new Date(Date.parse(`${DEMO_COVERAGE.end}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return `${fmt(DEMO_COVERAGE.start, false)} – ${fmt(last, true)}`;
}

/**
 * The demo source, shown while "mlFinops.demo.enabled" is on (the demo workspace turns it on): the views have
 * data to show without any account, next to whatever other sources are configured.
 */
export function demoSourceFactory(options: { extensionRoot: string; engine?: DuckDbEngine }): SourceFactory & { dispose(): void } {
  const engine = options.engine ?? new DuckDbEngine();
  return {
    kind: 'demo',
    create(settings: Settings, ctx: SourceContext): SourceEntry[] {
      if (!settings['demo.enabled']) return [];
      const source = createDemoSource({ extensionRoot: options.extensionRoot, engine, logger: ctx.log, ...(ctx.tagAliases ? { tagAliases: ctx.tagAliases } : {}) });
      return [{
        id: DEMO_SOURCE_ID, kind: 'demo', label: source.label, cost: source, resources: source,
        note: `A synthetic ML company generated from the shipped price catalogue (${coverageLabel()}), not real spend: turn a cloud on or add a FOCUS file to see your own costs.`,
        check: (signal) => describeFiles(source, signal),
      }];
    },
    dispose: () => { if (!options.engine) engine.close(); },
  };
}
