import * as path from 'node:path';
import type { Period } from '../../core/cost/model';
import type { TagAliases } from '../../core/cost/tags';
import type { Logger } from '../../core/ports';
import type { Settings } from '../../core/settings';
import { DuckDbEngine } from '../focus/duckdb';
import { FocusFileSource } from '../focus/focusFileSource';
import { describeFiles } from '../focus/sourceFactory';
import type { SourceContext, SourceEntry, SourceFactory } from '../registry';

/**
 * The demo bill: the FOCUS working group's anonymised FOCUS 1.0 sample (1,000 real rows from AWS, Microsoft
 * and Oracle, September 2024; CC-BY-4.0, see THIRD_PARTY_NOTICES.md), shipped gzip-compressed in resources/.
 */
export const DEMO_BILL = 'resources/demo/focus_1.0_sample_1000.csv.gz';

/** The month the demo bill covers: views showing the demo default to it instead of "the last 30 days". */
export const DEMO_PERIOD: Period = { start: '2024-09-01', end: '2024-10-01' };

export const DEMO_SOURCE_ID = 'demo';

/**
 * The sample's own tag keys for the policy keys the demo workspace groups by: the anonymised bill tags teams as
 * `business_unit`, projects as `application` and environments as `environment`. Resources keep their real tags.
 */
export const DEMO_TAG_ALIASES: Readonly<Record<string, readonly string[]>> = {
  Team: ['business_unit'],
  Project: ['application'],
  Environment: ['environment'],
};

/** The policy's names first, then the sample's own key for that policy key. */
export function demoTagAliases(base?: TagAliases): TagAliases {
  return (key, cloud) => [...(base ? base(key, cloud) : [key]), ...(DEMO_TAG_ALIASES[key] ?? [])];
}

export interface DemoSourceOptions {
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
    label: 'Demo bill (FOCUS sample data, CC-BY-4.0)',
    paths: [path.join(options.extensionRoot, DEMO_BILL)],
    baseDir: options.extensionRoot,
    engine: options.engine,
    tagAliases: demoTagAliases(options.tagAliases),
    logger: options.logger,
    resources: { period: () => DEMO_PERIOD },
  });
}

/**
 * The demo source, shown while "mlFinops.demo.enabled" is on (the demo workspace turns it on): the views have
 * real data to show without any account, next to whatever other sources are configured.
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
        note: 'Sample data (September 2024): turn a cloud on or add a FOCUS file to see your own costs.',
        check: (signal) => describeFiles(source, signal),
      }];
    },
    dispose: () => { if (!options.engine) engine.close(); },
  };
}
