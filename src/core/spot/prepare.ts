import type { TagPolicy } from '../policy/model';
import { shippedCatalogue } from '../pricing/shippedCatalogue';
import { requireJob, type SpotJob } from './job';
import { checkJobTags, planJob, type SpotPlan } from './plan';

export interface PreparedJob {
  job: SpotJob;
  plan: SpotPlan;
}

/**
 * What every launch starts from, in the CLI and in the editor alike: the job file read (its errors with their
 * lines), its tags checked against the team tag policy (a missing required tag refuses the job with the policy's
 * words), and its plan priced on the shipped catalogue with the savings model's restart overhead. One function, so
 * `mlfinops spot plan` and the editor's confirmation show the same figures.
 */
export function prepareJob(text: string, file: string, policy: TagPolicy): PreparedJob {
  const job = requireJob(text, file);
  checkJobTags(job, policy, file);
  return { job, plan: planJob(job, { catalogue: shippedCatalogue() }) };
}
