import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';

/**
 * What right-sizing tests seed into moto: a CloudFormation stack (moto tags its instances with
 * `aws:cloudformation:logical-id`, as CloudFormation does) and hourly utilisation of an instance in CloudWatch.
 */

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const HOUR = 3_600_000;

/** CreateStack through the Query API (no CloudFormation client is a dependency); returns the stack id. */
export async function createStack(endpoint: string, name: string, template: string, region = 'us-east-1'): Promise<string> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // moto routes a Query request by the service in the credential scope; it does not check the signature
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: 'CreateStack', Version: '2010-05-15', StackName: name, TemplateBody: template }),
  });
  const text = await res.text();
  const id = /<StackId>([^<]+)<\/StackId>/.exec(text)?.[1];
  if (!res.ok || !id) throw new Error(`CreateStack ${name}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return id;
}

/**
 * `hours` of hourly utilisation for an instance with `gpus` GPUs: CPU 5 %, each GPU 20 % busy with 15 % of its
 * memory at the peak, host memory 10 % — a p3.8xlarge (4 × V100) that one V100 (p3.2xlarge) serves with headroom.
 */
export async function putIdleGpuUtilisation(endpoint: string, instanceId: string, options: { hours?: number; gpus?: number; region?: string } = {}): Promise<void> {
  const hours = options.hours ?? 48;
  const gpus = options.gpus ?? 4;
  const cw = new CloudWatchClient({ region: options.region ?? 'us-east-1', endpoint, credentials });
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const at = (i: number) => new Date(now - (i + 1) * HOUR + 60_000);
  const dims = (extra: Array<{ Name: string; Value: string }> = []) => [{ Name: 'InstanceId', Value: instanceId }, ...extra];
  const data: Array<[string, MetricDatum]> = [];
  for (let i = 0; i < hours; i++) {
    data.push(['AWS/EC2', { MetricName: 'CPUUtilization', Dimensions: dims(), Unit: 'Percent', Value: 5, Timestamp: at(i) }]);
    data.push(['CWAgent', { MetricName: 'mem_used_percent', Dimensions: dims(), Unit: 'Percent', Value: 10, Timestamp: at(i) }]);
    for (let g = 0; g < gpus; g++) {
      const gpu = [{ Name: 'index', Value: String(g) }];
      data.push(['CWAgent', { MetricName: 'nvidia_smi_utilization_gpu', Dimensions: dims([...gpu, { Name: 'name', Value: 'Tesla V100-SXM2-16GB' }]), Unit: 'Percent', Value: 20, Timestamp: at(i) }]);
      data.push(['CWAgent', { MetricName: 'nvidia_smi_memory_used', Dimensions: dims(gpu), Unit: 'Megabytes', Value: 2458, Timestamp: at(i) }]);
      data.push(['CWAgent', { MetricName: 'nvidia_smi_memory_total', Dimensions: dims(gpu), Unit: 'Megabytes', Value: 16384, Timestamp: at(i) }]);
    }
  }
  try {
    for (const ns of ['AWS/EC2', 'CWAgent']) {
      const mine = data.filter(([n]) => n === ns).map(([, d]) => d);
      for (let i = 0; i < mine.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: mine.slice(i, i + 20) }));
    }
  } finally {
    cw.destroy();
  }
}
