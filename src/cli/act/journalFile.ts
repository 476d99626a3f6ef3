import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseJournal, type Journal, type JournalStore } from '../../core/act/journal';
import type { VmSchedulerOptions } from '../../providers/vmSchedulers';
import type { CliIO } from '../io';

/** The CLI's undo journal: `.finops/actions.json` in the folder it runs in (written whole, atomically). */
export function fileJournal(cwd: string): JournalStore {
  const file = path.join(cwd, '.finops', 'actions.json');
  const where = path.join('.finops', 'actions.json');
  return {
    where,
    async read(): Promise<Journal> {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return parseJournal(undefined, where);
        throw e;
      }
      let raw: unknown;
      try { raw = JSON.parse(text); } catch { raw = { invalid: true }; }
      return parseJournal(raw, where);
    },
    async write(journal: Journal): Promise<void> {
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`, 'utf8');
      await rename(tmp, file);
    },
  };
}

/** Cloud options shared by `act schedule` and `act undo`. */
export const cloudOptions = {
  region: { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string' },
  'gcp-endpoint': { type: 'string' },
  'azure-endpoint': { type: 'string' },
} as const;

export const cloudOptionsUsage = `  --region REGION           AWS region of a bare instance id (default: AWS_REGION, else us-east-1)
  --profile NAME            AWS profile (default: the SDK chain)
  --endpoint URL            AWS endpoint override; --gcp-endpoint URL, --azure-endpoint URL likewise`;

export function schedulerOptions(values: { region?: string | undefined; profile?: string | undefined; endpoint?: string | undefined; 'gcp-endpoint'?: string | undefined; 'azure-endpoint'?: string | undefined }, io: CliIO): VmSchedulerOptions {
  return {
    aws: { profile: values.profile ?? '', region: values.region ?? io.env.AWS_REGION ?? 'us-east-1', endpoint: values.endpoint ?? '' },
    gcp: { endpoint: values['gcp-endpoint'] ?? '', ...(io.env.GOOGLE_OAUTH_ACCESS_TOKEN ? { accessToken: io.env.GOOGLE_OAUTH_ACCESS_TOKEN } : {}) },
    azure: { endpoint: values['azure-endpoint'] ?? '', tenantId: io.env.AZURE_TENANT_ID ?? '' },
  };
}
