import type { VmScheduler } from '../core/act/journal';
import type { VmRef } from '../core/act/target';
import type { Logger } from '../core/ports';
import { AwsVmScheduler } from './aws/shutdownSchedule';
import type { AwsOptions } from './aws/config';
import { AzureVmScheduler } from './azure/shutdownSchedule';
import { GcpVmScheduler } from './gcp/shutdownSchedule';

/** Where each cloud's shutdown schedules are written: the endpoints and credentials of the settings or options. */
export interface VmSchedulerOptions {
  aws: AwsOptions;
  gcp: { endpoint: string; accessToken?: string; authClient?: unknown };
  azure: { endpoint: string; tenantId: string };
  log?: Logger;
}

/** The scheduler of the VM's cloud (and of a journal entry's, for undo). */
export function vmSchedulerFor(provider: VmRef['provider'], options: VmSchedulerOptions): VmScheduler {
  const log = options.log ? { log: options.log } : {};
  if (provider === 'aws') return new AwsVmScheduler({ ...options.aws, ...log });
  if (provider === 'gcp') return new GcpVmScheduler({ endpoint: options.gcp.endpoint, ...(options.gcp.accessToken ? { accessToken: options.gcp.accessToken } : {}), ...(options.gcp.authClient ? { authClient: options.gcp.authClient } : {}), ...log });
  return new AzureVmScheduler({ endpoint: options.azure.endpoint, tenantId: options.azure.tenantId, ...log });
}
