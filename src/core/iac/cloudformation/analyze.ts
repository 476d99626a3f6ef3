import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { maxYamlDepth, yamlTooDeep } from '../../yamlDepth';
import { evaluateTags, isChecked, severityFor, type Violation } from '../../policy/evaluate';
import type { TagPolicy } from '../../policy/model';
import { keyFor, placeholderFor, placeholderText, yamlScalar } from '../fixText';
import { LineIndex, withLazyFixes, type DeclaredResource, type Finding, type Fix, type TextEdit } from '../model';

/**
 * CloudFormation resource types whose tags are checked, and where their tags live. `list` is the usual
 * `Tags: [{Key, Value}]`; `map` is `Tags: {key: value}` (Batch, EKS node groups, SSM, SAM, Glue);
 * `tagSpecifications` reads `TagSpecifications[].Tags` at the given path (fleets, launch templates).
 * Chosen for ML workloads: compute, storage, SageMaker, Batch, EKS/ECS and spot fleets.
 */
export const cloudFormationTaggable: Record<string, { shape: 'list' | 'map' | 'tagSpecifications'; path?: string[] }> = {
  'AWS::EC2::Instance': { shape: 'list' },
  'AWS::EC2::Volume': { shape: 'list' },
  'AWS::EC2::LaunchTemplate': { shape: 'tagSpecifications', path: ['LaunchTemplateData', 'TagSpecifications'] },
  'AWS::EC2::SpotFleet': { shape: 'tagSpecifications', path: ['SpotFleetRequestConfigData', 'TagSpecifications'] },
  'AWS::EC2::EC2Fleet': { shape: 'tagSpecifications', path: ['TagSpecifications'] },
  'AWS::EC2::CapacityReservation': { shape: 'tagSpecifications', path: ['TagSpecifications'] },
  'AWS::EC2::NatGateway': { shape: 'list' },
  'AWS::AutoScaling::AutoScalingGroup': { shape: 'list' },
  'AWS::Lambda::Function': { shape: 'list' },
  'AWS::Serverless::Function': { shape: 'map' },
  'AWS::S3::Bucket': { shape: 'list' },
  'AWS::EFS::FileSystem': { shape: 'list', path: ['FileSystemTags'] },
  'AWS::FSx::FileSystem': { shape: 'list' },
  'AWS::DynamoDB::Table': { shape: 'list' },
  'AWS::RDS::DBInstance': { shape: 'list' },
  'AWS::RDS::DBCluster': { shape: 'list' },
  'AWS::SageMaker::NotebookInstance': { shape: 'list' },
  'AWS::SageMaker::Endpoint': { shape: 'list' },
  'AWS::SageMaker::EndpointConfig': { shape: 'list' },
  'AWS::SageMaker::Model': { shape: 'list' },
  'AWS::SageMaker::Domain': { shape: 'list' },
  'AWS::SageMaker::UserProfile': { shape: 'list' },
  'AWS::SageMaker::Space': { shape: 'list' },
  'AWS::SageMaker::Pipeline': { shape: 'list' },
  'AWS::SageMaker::Cluster': { shape: 'list' },
  'AWS::SageMaker::InferenceComponent': { shape: 'list' },
  'AWS::SageMaker::FeatureGroup': { shape: 'list' },
  'AWS::SageMaker::ModelPackageGroup': { shape: 'list' },
  'AWS::SageMaker::Project': { shape: 'list' },
  'AWS::Batch::ComputeEnvironment': { shape: 'map' },
  'AWS::Batch::JobQueue': { shape: 'map' },
  'AWS::Batch::JobDefinition': { shape: 'map' },
  'AWS::Batch::SchedulingPolicy': { shape: 'map' },
  'AWS::EKS::Cluster': { shape: 'list' },
  'AWS::EKS::Nodegroup': { shape: 'map' },
  'AWS::EKS::FargateProfile': { shape: 'list' },
  'AWS::ECS::Cluster': { shape: 'list' },
  'AWS::ECS::Service': { shape: 'list' },
  'AWS::ECS::TaskDefinition': { shape: 'list' },
  'AWS::ECS::CapacityProvider': { shape: 'list' },
  'AWS::ECR::Repository': { shape: 'list' },
  'AWS::EMR::Cluster': { shape: 'list' },
  'AWS::Glue::Job': { shape: 'map' },
};

/** Cheap check before parsing: does this YAML/JSON text look like a CloudFormation template? */
export function looksLikeCloudFormation(text: string): boolean {
  const head = text.slice(0, 20000);
  return head.includes('AWSTemplateFormatVersion') || (/["']?Resources["']?\s*:/.test(head) && /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/.test(head));
}

interface TagsFound {
  keys: Map<string, string | undefined>;
  complete: boolean;
  keyNodes: Map<string, YamlNode>;
  valueNodes: Map<string, YamlNode>;
  /** The node the tags live in (a list or a map), when present. */
  node?: YamlNode;
}

function scalarString(n: unknown): string | undefined {
  if (!isScalar(n) || (n.tag && n.tag.startsWith('!'))) return undefined;
  const v = n.value;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function isIntrinsic(n: unknown): boolean {
  if (!n || typeof n !== 'object') return false;
  const tag = (n as { tag?: string }).tag;
  if (tag && tag.startsWith('!')) return true;
  if (isMap(n) && n.items.length === 1) {
    const k = scalarString(n.items[0]?.key);
    return k !== undefined && (k === 'Ref' || k.startsWith('Fn::'));
  }
  return false;
}

function get(map: unknown, key: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap).items.find((it) => scalarString(it.key) === key) as Pair | undefined;
}

function readList(node: unknown, into: TagsFound): void {
  if (isIntrinsic(node) || !isSeq(node)) { into.complete = false; return; }
  for (const item of (node as YAMLSeq).items) {
    if (isIntrinsic(item) || !isMap(item)) { into.complete = false; continue; }
    const kp = get(item, 'Key');
    const vp = get(item, 'Value');
    const key = scalarString(kp?.value);
    if (key === undefined) { into.complete = false; continue; }
    into.keys.set(key, scalarString(vp?.value));
    if (kp?.value) into.keyNodes.set(key, kp.value as YamlNode);
    if (vp?.value) into.valueNodes.set(key, vp.value as YamlNode);
  }
}

function readMap(node: unknown, into: TagsFound): void {
  if (isIntrinsic(node) || !isMap(node)) { into.complete = false; return; }
  for (const it of (node as YAMLMap).items) {
    const key = scalarString(it.key);
    if (key === undefined) { into.complete = false; continue; }
    into.keys.set(key, scalarString(it.value));
    into.keyNodes.set(key, it.key as YamlNode);
    if (it.value) into.valueNodes.set(key, it.value as YamlNode);
  }
}

/** Analyses one CloudFormation template (YAML with `!Ref`/`!Sub`/`!GetAtt` short forms, or JSON). */
export function analyzeCloudFormation(path: string, text: string, policy: TagPolicy, options: { reportUnknown: boolean }): { findings: Finding[]; resources: DeclaredResource[] } {
  const lines = new LineIndex(text);
  const findings: Finding[] = [];
  const resources: DeclaredResource[] = [];
  const deep = yamlTooDeep(text);
  if (deep) {
    findings.push({
      file: path, range: lines.range(deep.offset, deep.offset + 1), code: 'syntax-error', severity: severityFor(policy, 'syntax-error'),
      message: `CloudFormation template: nested more than ${maxYamlDepth} levels deep; the template is not checked, the other files are.`,
    });
    return { findings, resources };
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, strict: false, uniqueKeys: false, logLevel: 'silent' });
  for (const e of doc.errors) {
    findings.push({ file: path, range: lines.range(e.pos[0], e.pos[1]), code: 'syntax-error', severity: severityFor(policy, 'syntax-error'), message: `CloudFormation template: ${e.message.split('\n')[0]}` });
  }
  const res = get(doc.contents, 'Resources')?.value;
  if (!isMap(res)) return { findings, resources };
  const json = text.trimStart().startsWith('{');
  for (const pair of (res as YAMLMap).items) {
    const id = scalarString(pair.key);
    const type = scalarString(get(pair.value, 'Type')?.value);
    if (!id || !type) continue;
    const spec = cloudFormationTaggable[type];
    if (!spec) continue;
    const idNode = pair.key as YamlNode;
    const props = get(pair.value, 'Properties')?.value;
    const found: TagsFound = { keys: new Map(), complete: true, keyNodes: new Map(), valueNodes: new Map() };
    if (spec.shape === 'tagSpecifications') {
      let node: unknown = props;
      for (const step of spec.path ?? []) node = get(node, step)?.value;
      if (node !== undefined) {
        if (!isSeq(node)) found.complete = false;
        else {
          for (const ts of (node as YAMLSeq).items) {
            const tp = get(ts, 'Tags');
            if (tp) { readList(tp.value, found); found.node ??= tp.value as YamlNode; }
          }
        }
      }
    } else {
      const tagsPair = get(props, spec.path?.[0] ?? 'Tags');
      if (tagsPair) {
        found.node = tagsPair.value as YamlNode;
        if (spec.shape === 'list') readList(tagsPair.value, found);
        else readMap(tagsPair.value, found);
      }
      if (isIntrinsic(props)) found.complete = false;
    }
    const idRange = idNode.range ?? [0, 0];
    resources.push({
      cloud: 'aws', address: id, type, name: id, file: path, range: lines.range(idRange[0], idRange[1]),
      tags: Object.fromEntries([...found.keys].filter((e): e is [string, string] => e[1] !== undefined)), tagsComplete: found.complete,
    });
    if (!isChecked(policy, type, id)) continue;
    const targetNode = found.node?.range ? found.node : idNode;
    const target = targetNode.range ?? idRange;
    const trimmed = (a: number, b: number) => {
      let e = b;
      while (e > a && /\s/.test(text[e - 1]!)) e--;
      return lines.range(a, e);
    };
    const range = (n?: YamlNode) => (n?.range ? trimmed(n.range[0], n.range[1]) : trimmed(target[0], target[1]));
    for (const v of evaluateTags(policy, 'aws', found)) {
      const f = toFinding(v);
      if (f) findings.push(f);
    }
    function toFinding(v: Violation): Finding | undefined {
      const label = `${id} (${type})`;
      switch (v.code) {
        case 'missing-tag': {
          return withLazyFixes({
            file: path, range: range(), code: 'missing-tag', severity: severityFor(policy, 'missing-tag'), resource: id, missing: v.missing,
            message: `${label} is missing required tags: ${v.missing.map((k) => `"${k}"`).join(', ')}`,
          }, () => { const fix = addTagsFix(v.missing); return fix ? [fix] : []; });
        }
        case 'cannot-verify':
          if (!(policy.reportUnknown ?? options.reportUnknown)) return undefined;
          return {
            file: path, range: range(), code: 'cannot-verify', severity: severityFor(policy, 'cannot-verify'), resource: id, missing: v.missing,
            message: `Cannot verify the tags of ${label}: some come from intrinsic functions. Make sure it gets ${v.missing.map((k) => `"${k}"`).join(', ')}.`,
          };
        case 'invalid-tag-value':
          return {
            file: path, range: range(found.valueNodes.get(v.key)), code: 'invalid-tag-value', severity: severityFor(policy, 'invalid-tag-value', v.key), resource: id,
            message: `${label}: tag "${v.key}" is "${v.value}"; expected ${v.expected}`,
          };
        case 'placeholder-tag-value':
          return {
            file: path, range: range(found.valueNodes.get(v.key)), code: 'placeholder-tag-value', severity: severityFor(policy, 'placeholder-tag-value', v.key), resource: id,
            message: `${label}: tag "${v.key}" is ${placeholderText(v.value)}, a placeholder; set the real value`,
          };
        default:
          return undefined;
      }
    }
    function addTagsFix(missing: string[]): Fix | undefined {
      const entries = missing.map((k) => ({ key: keyFor(policy, k, 'aws'), value: placeholderFor(policy, k, 'aws').text }));
      const edit = json ? jsonFix(entries) : yamlFix(entries);
      // a template cut short (an unclosed bracket) gives no place to insert: no fix rather than a misplaced one
      return edit && edit.start >= 0 && edit.start <= edit.end && edit.end <= text.length ? { title: `Add missing tags ${entries.map((e) => `"${e.key}"`).join(', ')} to ${id}`, preferred: true, kind: 'addTags', edits: [edit] } : undefined;
    }
    function yamlFix(entries: Array<{ key: string; value: string }>): TextEdit | undefined {
      const node = found.node;
      const indentOf = (offset: number) => lines.indentAt(offset);
      const listItems = (ind: string) => entries.map((e) => `${ind}- Key: ${yamlScalar(e.key)}\n${ind}  Value: ${yamlScalar(e.value)}\n`).join('');
      const mapItems = (ind: string) => entries.map((e) => `${ind}${yamlScalar(e.key)}: ${yamlScalar(e.value)}\n`).join('');
      if (spec!.shape === 'tagSpecifications') return undefined;
      if (node && (isSeq(node) || isMap(node)) && !(node as YAMLSeq).flow) {
        const items = (node as YAMLSeq | YAMLMap).items;
        const first = items[0] as unknown;
        const firstNode = (isMap(node) ? (first as Pair | undefined)?.key : first) as YamlNode | undefined;
        if (!firstNode?.range || !node.range) return undefined;
        const ind = indentOf(firstNode.range[0]);
        const at = lineEndAfter(node.range[1]);
        return { file: path, start: at, end: at, newText: spec!.shape === 'list' ? listItems(ind) : mapItems(ind) };
      }
      if (node?.range && (isSeq(node) || isMap(node))) {
        const inline = entries.map((e) => (spec!.shape === 'list' ? `{Key: ${yamlScalar(e.key)}, Value: ${yamlScalar(e.value)}}` : `${yamlScalar(e.key)}: ${yamlScalar(e.value)}`)).join(', ');
        const close = node.range[1] - 1;
        if (text[close] !== (isSeq(node) ? ']' : '}')) return undefined;
        const empty = (node as YAMLSeq | YAMLMap).items.length === 0;
        return { file: path, start: close, end: close, newText: empty ? inline : `, ${inline}` };
      }
      if (node) return undefined;
      const tagsKey = spec!.path?.[0] ?? 'Tags';
      if (isMap(props) && !(props as YAMLMap).flow && (props as YAMLMap).items.length > 0) {
        const firstKey = (props as YAMLMap).items[0]!.key as YamlNode;
        if (!firstKey.range || !(props as YAMLMap).range) return undefined;
        const ind = indentOf(firstKey.range[0]);
        const at = lineEndAfter((props as YAMLMap).range![1]);
        return { file: path, start: at, end: at, newText: `${ind}${tagsKey}:\n${spec!.shape === 'list' ? listItems(ind + '  ') : mapItems(ind + '  ')}` };
      }
      if (!props && isMap(pair.value) && !(pair.value as YAMLMap).flow) {
        const typeKey = get(pair.value, 'Type')?.key as YamlNode | undefined;
        if (!typeKey?.range || !(pair.value as YAMLMap).range) return undefined;
        const ind = indentOf(typeKey.range[0]);
        const at = lineEndAfter((pair.value as YAMLMap).range![1]);
        return { file: path, start: at, end: at, newText: `${ind}Properties:\n${ind}  ${tagsKey}:\n${spec!.shape === 'list' ? listItems(ind + '    ') : mapItems(ind + '    ')}` };
      }
      return undefined;
    }
    function jsonFix(entries: Array<{ key: string; value: string }>): TextEdit | undefined {
      if (spec!.shape === 'tagSpecifications') return undefined;
      const items = entries.map((e) => (spec!.shape === 'list' ? `{ "Key": ${JSON.stringify(e.key)}, "Value": ${JSON.stringify(e.value)} }` : `${JSON.stringify(e.key)}: ${JSON.stringify(e.value)}`));
      const node = found.node;
      if (node?.range && (isSeq(node) || isMap(node))) {
        const close = text.lastIndexOf(isSeq(node) ? ']' : '}', node.range[1] - 1);
        if (close <= node.range[0]) return undefined;
        const empty = (node as YAMLSeq | YAMLMap).items.length === 0;
        return { file: path, start: close, end: close, newText: `${empty ? '' : ', '}${items.join(', ')}` };
      }
      if (node) return undefined;
      const tagsKey = spec!.path?.[0] ?? 'Tags';
      const value = spec!.shape === 'list' ? `[${items.join(', ')}]` : `{ ${items.join(', ')} }`;
      if (isMap(props) && (props as YAMLMap).range) {
        const open = text.indexOf('{', (props as YAMLMap).range![0]);
        if (open < 0 || open >= (props as YAMLMap).range![1]) return undefined;
        const empty = (props as YAMLMap).items.length === 0;
        return { file: path, start: open + 1, end: open + 1, newText: ` ${JSON.stringify(tagsKey)}: ${value}${empty ? ' ' : ','}` };
      }
      return undefined;
    }
  }
  return { findings, resources };

  function lineEndAfter(offset: number): number {
    // the start of the line after the node's last content line
    let end = offset;
    while (end > 0 && /\s/.test(text[end - 1]!)) end--;
    const nl = text.indexOf('\n', end);
    return nl < 0 ? text.length : nl + 1;
  }
}
