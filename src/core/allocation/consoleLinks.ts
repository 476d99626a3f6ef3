/**
 * The web console page of a resource, from its provider and id (AWS ARN or instance id, Azure resource id,
 * Google Cloud asset name). Undefined when the id names nothing a console can open (IaC addresses, charges).
 */
export function consoleUrl(provider: string, id: string, region?: string): string | undefined {
  const p = provider.toLowerCase();
  if (id.startsWith('arn:') || p === 'aws' || p.startsWith('amazon')) return awsUrl(id, region);
  if (id.toLowerCase().startsWith('/subscriptions/') || p === 'microsoft' || p === 'azure') return azureUrl(id);
  if (id.startsWith('//') || p === 'google cloud' || p === 'gcp' || p === 'google') return gcpUrl(id);
  return undefined;
}

const AWS_CONSOLE: Record<string, string> = { aws: 'console.aws.amazon.com', 'aws-cn': 'console.amazonaws.cn', 'aws-us-gov': 'console.amazonaws-us-gov.com' };

function awsUrl(id: string, fallbackRegion?: string): string | undefined {
  if (/^i-[0-9a-f]{8,17}$/.test(id)) {
    const region = fallbackRegion ?? 'us-east-1';
    return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#InstanceDetails:instanceId=${id}`;
  }
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(id);
  if (!m) return undefined;
  const [, partition, service, arnRegion, , resource] = m as unknown as [string, string, string, string, string, string];
  const host = AWS_CONSOLE[partition];
  if (!host) return undefined;
  const region = arnRegion || fallbackRegion || 'us-east-1';
  const base = `https://${region}.${host}`;
  const q = `?region=${encodeURIComponent(region)}`;
  const [rtype, ...rest] = resource.split(/[/:]/);
  const name = rest.join('/');
  const enc = encodeURIComponent;
  switch (service) {
    case 'ec2':
      if (rtype === 'instance') return `${base}/ec2/home${q}#InstanceDetails:instanceId=${enc(name)}`;
      if (rtype === 'volume') return `${base}/ec2/home${q}#VolumeDetails:volumeId=${enc(name)}`;
      if (rtype === 'spot-fleet-request') return `${base}/ec2/home${q}#SpotInstances:`;
      return `${base}/ec2/home${q}`;
    case 's3':
      return `https://s3.${host}/s3/buckets/${enc(resource.split('/')[0] ?? resource)}${q}`;
    case 'sagemaker': {
      const pages: Record<string, string> = {
        'notebook-instance': 'notebook-instances', 'training-job': 'jobs', endpoint: 'endpoints', 'processing-job': 'processing-jobs', 'transform-job': 'transform-jobs', model: 'models',
      };
      const page = rtype ? pages[rtype] : undefined;
      return page ? `${base}/sagemaker/home${q}#/${page}/${enc(name)}` : `${base}/sagemaker/home${q}`;
    }
    case 'eks':
      return rtype === 'cluster' ? `${base}/eks/home${q}#/clusters/${enc(name)}` : `${base}/eks/home${q}`;
    case 'lambda':
      return rtype === 'function' ? `${base}/lambda/home${q}#/functions/${enc(rest[0] ?? name)}` : `${base}/lambda/home${q}`;
    case 'rds':
      return rtype === 'db' ? `${base}/rds/home${q}#database:id=${enc(name)}` : `${base}/rds/home${q}`;
    case 'batch':
      return `${base}/batch/home${q}`;
    default:
      return `${base}/${enc(service)}/home${q}`;
  }
}

function azureUrl(id: string): string | undefined {
  if (!id.toLowerCase().startsWith('/subscriptions/')) return undefined;
  return `https://portal.azure.com/#@/resource${id.split('/').map(encodeURIComponent).join('/')}`;
}

function gcpUrl(id: string): string | undefined {
  const enc = encodeURIComponent;
  const m = /^\/\/([a-z]+)\.googleapis\.com\/(.+)$/.exec(id);
  const service = m?.[1];
  const path = m?.[2] ?? id.replace(/^\/+/, '');
  const project = /(?:^|\/)projects\/([^/]+)/.exec(path)?.[1];
  const pq = project ? `?project=${enc(project)}` : '';
  if (service === 'storage') return `https://console.cloud.google.com/storage/browser/${enc(path.split('/')[0] ?? path)}`;
  const inst = /projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)/.exec(path);
  if (inst) return `https://console.cloud.google.com/compute/instancesDetail/zones/${enc(inst[2]!)}/instances/${enc(inst[3]!)}?project=${enc(inst[1]!)}`;
  const cluster = /projects\/([^/]+)\/(?:locations|zones)\/([^/]+)\/clusters\/([^/]+)/.exec(path);
  if (cluster) return `https://console.cloud.google.com/kubernetes/clusters/details/${enc(cluster[2]!)}/${enc(cluster[3]!)}/details?project=${enc(cluster[1]!)}`;
  const disk = /projects\/([^/]+)\/zones\/([^/]+)\/disks\/([^/]+)/.exec(path);
  if (disk) return `https://console.cloud.google.com/compute/disksDetail/zones/${enc(disk[2]!)}/disks/${enc(disk[3]!)}?project=${enc(disk[1]!)}`;
  if (service === 'aiplatform') return `https://console.cloud.google.com/vertex-ai${pq}`;
  if (project) return `https://console.cloud.google.com/home/dashboard${pq}`;
  return undefined;
}
