import * as path from 'node:path';
import type { Period } from '../../core/cost/model';
import type { TagAliases } from '../../core/cost/tags';
import type { Logger } from '../../core/ports';
import type { DuckDbEngine } from '../focus/duckdb';
import { FocusFileSource } from '../focus/focusFileSource';

/**
 * The demo bill: the FOCUS working group's anonymised FOCUS 1.0 sample (1,000 real rows from AWS, Microsoft
 * and Oracle, September 2024; CC-BY-4.0, see THIRD_PARTY_NOTICES.md), shipped gzip-compressed in resources/.
 */
export const DEMO_BILL = 'resources/demo/focus_1.0_sample_1000.csv.gz';

/** The month the demo bill covers: views showing the demo default to it instead of "the last 30 days". */
export const DEMO_PERIOD: Period = { start: '2024-09-01', end: '2024-10-01' };

export const DEMO_SOURCE_ID = 'demo';

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
    tagAliases: options.tagAliases,
    logger: options.logger,
    resources: { period: () => DEMO_PERIOD },
  });
}
