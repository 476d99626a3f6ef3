#!/usr/bin/env node
// What the cost cache saves on AWS Cost Explorer (USD 0.01 per request): the same daily × service × team query
// for 90 days, first cold (every page requested from Cost Explorer — moto on 127.0.0.1, seeded with three
// pages), then again within the TTL in the same process, then from a fresh source reading the disk cache (a new
// window or a CLI run). Requests are counted by a proxy in front of moto, not by the product itself.
//
//   node --import tsx bench/cloudCache.ts [--runs 5]
//
// Needs python3 with moto (preinstalled on the development machine).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CostQuery } from '../src/core/cost/model';
import { applyOfflineEnv, startMoto } from '../test/support/moto';
import { startRecordingProxy } from '../test/support/fakes/recordingProxy';
import { CostExplorerSource } from '../src/providers/aws/costExplorer';
import { CachedCostSource } from '../src/providers/cachedCostSource';
import { DiskCache } from '../src/providers/diskCache';
import { RequestMeter } from '../src/core/cache/requestMeter';

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(opts.runs));
applyOfflineEnv();

const days = Array.from({ length: 90 }, (_, i) => new Date(Date.UTC(2024, 6, 1 + i)).toISOString().slice(0, 10));
const services = ['Amazon Elastic Compute Cloud - Compute', 'Amazon SageMaker', 'Amazon Simple Storage Service', 'Amazon FSx'];
const teams = ['research', 'platform', 'nlp', 'vision', ''];
const pages = [days.slice(0, 30), days.slice(30, 60), days.slice(60)].map((chunk, i, all) => ({
  ResultsByTime: chunk.map((d) => ({
    TimePeriod: { Start: d, End: d }, Total: {}, Estimated: false,
    Groups: services.flatMap((s) => teams.map((t) => ({ Keys: [s, `Team$${t}`], Metrics: { UnblendedCost: { Amount: ((s.length * 13 + t.length * 7 + Number(d.slice(8))) % 97 + 0.5).toFixed(2), Unit: 'USD' } } }))),
  })),
  ...(i < all.length - 1 ? { NextPageToken: `page-${i + 2}` } : {}),
}));
const query: CostQuery = { period: { start: days[0]!, end: '2024-09-29' }, granularity: 'daily', groupBy: ['ServiceName', 'tag:Team'], metric: 'BilledCost' };

async function main(): Promise<void> {
  const moto = await startMoto();
  const proxy = await startRecordingProxy(moto.endpoint);
  const results: Record<'cold' | 'warm' | 'disk', { ms: number; requests: number; rows: number }[]> = { cold: [], warm: [], disk: [] };
  try {
    for (let run = 0; run < runs; run++) {
      await moto.reset();
      await moto.seedCostAndUsage(pages);
      proxy.clear();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlfinops-bench-cache-'));
      const make = () => new CachedCostSource(
        new CostExplorerSource({ profile: 'bench', region: 'us-east-1', endpoint: proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, meter: new RequestMeter() }),
        new DiskCache({ dir, ttlMs: 8 * 3600_000 }), { profile: 'bench' });
      const source = make();
      for (const [kind, s] of [['cold', source], ['warm', source], ['disk', make()]] as const) {
        const before = proxy.of('GetCostAndUsage').length;
        const t = performance.now();
        const r = await s.query(query);
        results[kind].push({ ms: performance.now() - t, requests: proxy.of('GetCostAndUsage').length - before, rows: r.rows.length });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await proxy.stop();
    await moto.stop();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Cost Explorer query: 90 days daily × ${services.length} services × ${teams.length} team values (${pages.length} pages), ${runs} runs`);
console.log('case                                   requests  USD     median ms  rows');
for (const [kind, label] of [['cold', 'first query (cold)'], ['warm', 'same query again, within the TTL'], ['disk', 'same query, new source (disk cache)']] as const) {
  const r = results[kind];
  const req = Math.max(...r.map((x) => x.requests));
  console.log(`${label.padEnd(38)} ${String(req).padStart(8)}  ${(req * 0.01).toFixed(2).padStart(5)}  ${median(r.map((x) => x.ms)).toFixed(1).padStart(9)}  ${r[0]!.rows}`);
}
}

void main().catch((e) => { console.error(e); process.exit(1); });
