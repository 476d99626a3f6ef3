import type { SpotJob } from './job';

/**
 * The instance's start-up script, built from the bootstrap contract (docs/spot-bootstrap.md): unpack the shipped
 * bootstrap and its Python package into /opt/mlfinops, write the job file to /etc/mlfinops/job.json, fetch the code
 * (the repository at its commit, or the container image), run the bootstrap, then act on its exit code: a job that
 * finished, failed or ran out of time ends its own fleet / group so nothing keeps running; an interrupted one exits
 * and the cloud's replacement resumes from the newest checkpoint.
 */

/** The job file the bootstrap reads (docs/spot-bootstrap.md, "The job file"). */
export interface BootstrapJobFile {
  name: string;
  cloud: SpotJob['cloud'];
  command: string;
  workdir: string;
  checkpointUri: string;
  checkpointEverySteps: number;
  maxRuntimeMinutes: number;
  env: Record<string, string>;
}

export function bootstrapJobFile(job: SpotJob): BootstrapJobFile {
  const inImage = job.code.kind === 'image';
  return {
    name: job.name,
    cloud: job.cloud,
    command: inImage ? imageCommand(job) : job.command,
    workdir: job.workdir,
    checkpointUri: job.checkpoint.uri,
    checkpointEverySteps: job.checkpoint.everySteps,
    maxRuntimeMinutes: Math.round(job.maxRuntimeHours * 60),
    env: job.env,
  };
}

/** A file shipped to the instance: its path under /opt/mlfinops and its gzip-compressed content in base64. */
export interface ShippedFile {
  path: string;
  gzipBase64: string;
}

/** Quotes a string for POSIX sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command for a container image: docker runs it with the GPUs, the work folder, the bootstrap's Python package
 * and its stop-marker folder mounted, and the MLFINOPS_* variables passed through. `docker run` passes SIGTERM on
 * to the container (sig-proxy), so the trainer writes its final checkpoint.
 */
function imageCommand(job: SpotJob): string {
  if (job.code.kind !== 'image') return job.command;
  const env = ['MLFINOPS_JOB_NAME', 'MLFINOPS_CHECKPOINT_URI', 'MLFINOPS_CHECKPOINT_EVERY_STEPS', 'MLFINOPS_STOP_FILE', 'MLFINOPS_S3_ENDPOINT', 'MLFINOPS_GCS_ENDPOINT', 'MLFINOPS_AZURE_BLOB_ENDPOINT', ...Object.keys(job.env)];
  return [
    'docker run --rm --init --gpus all --network host',
    `-v "$PWD":/work -w /work -v /opt/mlfinops/python:/opt/mlfinops/python:ro -e PYTHONPATH=/opt/mlfinops/python`,
    '-v "$(dirname "$MLFINOPS_STOP_FILE")":"$(dirname "$MLFINOPS_STOP_FILE")"',
    ...env.map((e) => `-e ${e}`),
    shQuote(job.code.image),
    'sh -c', shQuote(job.command),
  ].join(' ');
}

/** How a finished job ends its own capacity, per cloud (the instance's role needs the permission; see the README). */
function endCapacity(job: SpotJob): string {
  switch (job.cloud) {
    case 'aws':
      return [
        'TOKEN=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300" || true)',
        'IID=$(curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id || true)',
        'REGION=$(curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/placement/region || true)',
        'FLEET=$(aws ec2 describe-tags --region "$REGION" --filters "Name=resource-id,Values=$IID" "Name=key,Values=aws:ec2:fleet-id" --query "Tags[0].Value" --output text 2>/dev/null || true)',
        '[ -n "$FLEET" ] && [ "$FLEET" != None ] && aws ec2 delete-fleets --region "$REGION" --fleet-ids "$FLEET" --terminate-instances || shutdown -h now',
      ].join('\n  ');
    case 'gcp':
      return `gcloud compute instance-groups managed resize ${shQuote(`mlfinops-${job.name}`)} --size 0 --region ${shQuote(job.regions[0] ?? '')} --quiet || shutdown -h now`;
    case 'azure':
      // an OS shutdown leaves an Azure VM allocated (and billed): the VM deletes itself from its scale set with its
      // managed identity, which lowers the capacity so Try & Restore does not bring it back
      return [
        'IMDS=http://169.254.169.254/metadata',
        'TOKEN=$(curl -sf -H Metadata:true "$IMDS/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F" | python3 -c \'import json,sys; print(json.load(sys.stdin)["access_token"])\' 2>/dev/null || true)',
        'VMID=$(curl -sf -H Metadata:true "$IMDS/instance/compute/resourceId?api-version=2021-02-01&format=text" || true)',
        '[ -n "$TOKEN" ] && [ -n "$VMID" ] && curl -sf -X DELETE -H "Authorization: Bearer $TOKEN" "https://management.azure.com${VMID}?api-version=2024-07-01" || shutdown -h now',
      ].join('\n  ');
  }
}

/**
 * The start-up script. `files` are the bootstrap and its Python package (resources/spot), compressed; with none, the
 * machine image must hold /opt/mlfinops/bootstrap.sh.
 */
export function buildUserData(job: SpotJob, files: readonly ShippedFile[]): string {
  const jobJson = JSON.stringify(bootstrapJobFile(job), null, 2);
  const unpack = files.map((f) => `mkdir -p "$(dirname /opt/mlfinops/${f.path})"\necho ${f.gzipBase64} | base64 -d | gunzip > /opt/mlfinops/${f.path}`);
  const code = job.code.kind === 'repo'
    ? [
        `if [ ! -d ${shQuote(job.workdir)}/.git ]; then`,
        `  git clone --quiet ${shQuote(job.code.repo)} ${shQuote(job.workdir)}`,
        'fi',
        `git -C ${shQuote(job.workdir)} checkout --quiet ${shQuote(job.code.commit)}`,
      ]
    : [`mkdir -p ${shQuote(job.workdir)}`, `docker pull --quiet ${shQuote(job.code.image)}`];
  return [
    '#!/bin/sh',
    `# ML FinOps spot job "${job.name}": unpack the bootstrap, write the job file, fetch the code, train.`,
    'set -u',
    'mkdir -p /opt/mlfinops /etc/mlfinops',
    ...(unpack.length ? unpack : ['# the machine image provides /opt/mlfinops/bootstrap.sh (this build ships none)']),
    `cat > /etc/mlfinops/job.json <<'MLFINOPS_JOB_EOF'`,
    jobJson,
    'MLFINOPS_JOB_EOF',
    ...code,
    'export MLFINOPS_JOB_FILE=/etc/mlfinops/job.json',
    'sh /opt/mlfinops/bootstrap.sh',
    'status=$?',
    'echo "mlfinops: bootstrap exited $status"',
    '# 75: interrupted (the replacement resumes from the newest checkpoint); anything else ends the job',
    'if [ "$status" -ne 75 ]; then',
    `  ${endCapacity(job)}`,
    'fi',
    '',
  ].join('\n');
}
