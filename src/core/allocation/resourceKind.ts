/**
 * One vocabulary for the kind of a resource, whatever named it: a FOCUS ResourceType ("Instance", "VM Instance",
 * "Virtual machine"), a service name when a bill has no ResourceType, a Terraform or CloudFormation type
 * (`aws_instance`, `AWS::EC2::Instance`), an ARM type (`microsoft.compute/virtualmachines`), a Cloud Asset type
 * (`compute.googleapis.com/Instance`) or a tagging-API type (`ec2:instance`). The Resources view shows these words
 * only, so a level never mixes "Instance", "VM Instance" and "Amazon Elastic Compute Cloud".
 */

/** Ordered: the first rule whose pattern matches the type (lower case, letters and digits only) wins. */
const RULES: readonly [RegExp, string][] = [
  [/savingsplan|commitment|reservation|reservedinstance|reservedvm|cud/, 'Commitment'],
  [/notebook|workbench/, 'Notebook'],
  [/sagemakerendpoint|endpointconfig|onlineendpoint|vertexaiendpoint|aiplatformendpoint|inferenceendpoint/, 'ML endpoint'],
  [/trainingjob|customjob|sagemakertraining/, 'Training job'],
  [/nodegroup|nodepool|agentpool/, 'Kubernetes node pool'],
  [/eks|gke|aks|kubernetes|containercluster|ekscluster|managedcluster/, 'Kubernetes cluster'],
  [/scaleset|vmss|autoscalinggroup|instancegroup|instancetemplate|launchtemplate|spotfleet|ec2fleet/, 'VM group'],
  [/rds|dbinstance|dbcluster|database|sqlserver|postgres|mysql|cosmos|dynamodb|bigtable|spanner|redis|elasticache|memorystore|firestore/, 'Database'],
  [/disk|volume|ebs|snapshot|filestore|efs|fsx|fileshare/, 'Disk'],
  [/bucket|^s3|awss3|storageaccount|blob|storagecontainer|cloudstorage|simplestorage|objectstorage|gcs/, 'Object storage'],
  [/loadbalancer|forwardingrule|targetpool|backendservice|applicationgateway|^lb$|awslb|elb|alb/, 'Load balancer'],
  [/natgateway|routernat|cloudnat|^nat$/, 'NAT gateway'],
  [/registry|ecrrepository|artifactregistry/, 'Container registry'],
  [/lambda|function/, 'Function'],
  [/vpc|subnet|network|address|publicip|eip|dns|firewall|securitygroup|router|peering|transitgateway|vpn|datatransfer/, 'Network'],
  [/loggroup|logging|monitor|cloudwatch|loganalytics|insights/, 'Monitoring'],
  [/instance|virtualmachine|vminstance|^vm$|computeengine|elasticcomputecloud|^ec2|compute/, 'Virtual machine'],
];

/** Resource ids that say what they are when the type does not. */
const ID_RULES: readonly [RegExp, string][] = [
  [/^i-[0-9a-f]{8,}$|:instance\/i-|\/virtualmachines\/|\/instances\/[^/]+$/i, 'Virtual machine'],
  [/^vol-|:volume\/|\/disks\//i, 'Disk'],
  [/^arn:aws:s3:::|\/storageaccounts\/[^/]+$|^gs:\/\//i, 'Object storage'],
  [/:savingsplan\/|\/reservations?\//i, 'Commitment'],
];

const cache = new Map<string, string | undefined>();

/** The kind of a resource in the view's vocabulary ("Virtual machine", "Object storage" …); undefined when nothing says. */
export function resourceKind(type: string | undefined, id?: string | null): string | undefined {
  const key = `${type ?? ''}\u0000${id ?? ''}`;
  if (cache.has(key)) return cache.get(key);
  const kind = classify(type ?? '', id ?? '');
  if (cache.size < 10_000) cache.set(key, kind);
  return kind;
}

function classify(type: string, id: string): string | undefined {
  const t = type.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (t && t !== 'unknown') for (const [re, kind] of RULES) if (re.test(t)) return kind;
  for (const [re, kind] of ID_RULES) if (re.test(id)) return kind;
  return t && t !== 'unknown' ? humanize(type) : undefined;
}

/** The last segment of an unknown type as words: `AWS::Glue::Job` → "Job", `aws_glue_crawler` → "Glue crawler". */
function humanize(type: string): string | undefined {
  const last = type.split(/::|[/:]/).filter(Boolean).pop() ?? type;
  const words = last
    .replace(/^(aws|google|azurerm|azure)_/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : undefined;
}
