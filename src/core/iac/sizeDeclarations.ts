import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Block } from './hcl/ast';
import { parseHcl } from './hcl/parser';
import { LineIndex, type Range } from './model';
import { yamlTooDeep } from '../yamlDepth';
import { isComputeType } from '../savings/declared';
import type { CloudProvider } from '../pricing/model';
import { looksLikeCloudFormation } from './cloudformation/analyze';
import type { JsonResourceShape } from './ignoreComments';

/**
 * Where a compute resource's instance type / machine type / VM size is written, token by token, so an editor can
 * rewrite exactly the value (quotes and formatting kept) and find the comments around it. Terraform native syntax
 * (`instance_type`, `machine_type`, azurerm `size` / `vm_size`, written as a literal string in the resource) and
 * CloudFormation YAML or JSON (`InstanceType` of EC2 instances, launch templates and SageMaker notebooks).
 */
export interface SizeDeclaration {
  format: 'hcl' | 'yaml' | 'json';
  provider: CloudProvider;
  /** `aws_instance.trainer`, or the CloudFormation logical id. */
  address: string;
  /** `aws_instance`, `AWS::EC2::Instance`. */
  resourceType: string;
  /** The attribute as written (`instance_type`, `InstanceType`). */
  attribute: string;
  /** The value, without quotes. */
  size: string;
  /** Offsets of the value without its quotes: what a rewrite replaces. */
  value: { start: number; end: number };
  /** The value's range (quotes excluded). */
  valueRange: Range;
  /** Offsets of the whole resource (header to closing brace, or the logical id's map entry). */
  resource: { start: number; end: number };
  /** Line of the resource's header (`resource "aws_instance" "x" {`, `  Trainer:`). */
  resourceLine: number;
  /** Line of the attribute's name (`instance_type`, `InstanceType:`). */
  attributeLine: number;
  /** CloudFormation: the rules `Metadata.finops.ignore` names. */
  metadataIgnores?: string[];
  /** CloudFormation JSON: where a Metadata entry can be added. */
  json?: JsonResourceShape;
}

const HCL_SIZE_ATTRIBUTES: Record<CloudProvider, readonly string[]> = {
  aws: ['instance_type'],
  gcp: ['machine_type'],
  azure: ['size', 'vm_size'],
};

function providerOfTerraformType(type: string): CloudProvider | undefined {
  if (type.startsWith('aws_')) return 'aws';
  if (type.startsWith('google_')) return 'gcp';
  if (type.startsWith('azurerm_')) return 'azure';
  return undefined;
}

function hclDeclarations(text: string): SizeDeclaration[] {
  const lines = new LineIndex(text);
  const hcl = parseHcl(text);
  const out: SizeDeclaration[] = [];
  const visit = (block: Block) => {
    if (block.type !== 'resource') return;
    const type = block.labels[0]?.value;
    const name = block.labels[1]?.value;
    if (!type || !name || !isComputeType(type)) return;
    const provider = providerOfTerraformType(type);
    if (!provider) return;
    for (const attrName of HCL_SIZE_ATTRIBUTES[provider]) {
      const a = block.body.attributes.find((x) => x.name === attrName);
      if (!a) continue;
      const e = a.expr;
      // only a literal written here: `var.x` is rewritten where the variable is declared, not in the resource
      if (e.type !== 'template' || e.heredoc || e.hasDirective || e.parts.length !== 1 || typeof e.parts[0] !== 'string') break;
      const raw = text.slice(e.start + 1, e.end - 1);
      if (raw !== e.parts[0] || text[e.start] !== '"' || text[e.end - 1] !== '"') break;
      out.push({
        format: 'hcl', provider, address: `${type}.${name}`, resourceType: type, attribute: attrName, size: raw,
        value: { start: e.start + 1, end: e.end - 1 }, valueRange: lines.range(e.start + 1, e.end - 1),
        resource: { start: block.start, end: block.end }, resourceLine: lines.position(block.start).line,
        attributeLine: lines.position(a.start).line,
      });
      break;
    }
  };
  for (const b of hcl.body.blocks) visit(b);
  return out;
}

/** CloudFormation types whose `InstanceType` (at this path under Properties) runs machines. */
const CFN_SIZE_PATHS: Record<string, string[]> = {
  'AWS::EC2::Instance': ['InstanceType'],
  'AWS::EC2::LaunchTemplate': ['LaunchTemplateData', 'InstanceType'],
  'AWS::SageMaker::NotebookInstance': ['InstanceType'],
};

function mapGet(node: unknown, key: string): { key: YamlNode; value: unknown } | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of (node as YAMLMap).items) {
    if (isScalar(pair.key) && pair.key.value === key) return { key: pair.key as YamlNode, value: pair.value };
  }
  return undefined;
}

/** The map that holds the last step of `path` under the resource's Properties. */
function parentOf(resource: unknown, path: readonly string[]): unknown {
  let node: unknown = mapGet(resource, 'Properties')?.value;
  for (const step of path.slice(0, -1)) node = mapGet(node, step)?.value;
  return node;
}

function cfnDeclarations(text: string): SizeDeclaration[] {
  if (!looksLikeCloudFormation(text) || yamlTooDeep(text)) return [];
  const json = text.trimStart().startsWith('{');
  const lines = new LineIndex(text);
  const doc = parseDocument(text, { prettyErrors: false, strict: false, uniqueKeys: false, logLevel: 'silent' });
  const resources = mapGet(doc.contents, 'Resources')?.value;
  if (!isMap(resources)) return [];
  const out: SizeDeclaration[] = [];
  for (const pair of (resources as YAMLMap).items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
    const id = pair.key.value;
    const typeNode = mapGet(pair.value, 'Type')?.value;
    const type = isScalar(typeNode) && typeof typeNode.value === 'string' ? typeNode.value : undefined;
    const path = type ? CFN_SIZE_PATHS[type] : undefined;
    if (!type || !path) continue;
    let node: unknown = mapGet(pair.value, 'Properties')?.value;
    let attrName = '';
    for (const step of path) {
      const found = mapGet(node, step);
      node = found?.value;
      attrName = step;
    }
    // a literal only: `!Ref InstanceType` or `{"Ref": …}` is changed where the parameter is declared
    if (!isScalar(node) || typeof node.value !== 'string' || (node.tag && node.tag.startsWith('!')) || !node.range) continue;
    const [s, e] = node.range;
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    const start = quoted ? s + 1 : s;
    const end = quoted ? e - 1 : e;
    if (text.slice(start, end) !== node.value) continue; // escapes or folding: not a plain token
    const keyNode = pair.key as YamlNode;
    const resStart = keyNode.range?.[0] ?? s;
    const resEnd = (pair.value as YamlNode | null)?.range?.[2] ?? e;
    const metadata = mapGet(pair.value, 'Metadata');
    const finops = mapGet(metadata?.value, 'finops');
    const ignore = mapGet(finops?.value, 'ignore')?.value;
    const ignores = isSeq(ignore)
      ? (ignore as YAMLSeq).items.flatMap((i) => (isScalar(i) && typeof i.value === 'string' ? [i.value] : []))
      : isScalar(ignore) && typeof ignore.value === 'string' ? ignore.value.split(/[\s,]+/).filter(Boolean) : [];
    const attrKey = mapGet(parentOf(pair.value, path), attrName)?.key;
    const resMap = pair.value as YamlNode | null;
    const firstKey = isMap(resMap) ? ((resMap as YAMLMap).items[0]?.key as YamlNode | undefined)?.range?.[0] : undefined;
    const metaNode = metadata?.value as YamlNode | undefined;
    const ignoreNode = ignore as YamlNode | undefined;
    out.push({
      format: json ? 'json' : 'yaml', provider: 'aws', address: id, resourceType: type, attribute: attrName, size: node.value,
      value: { start, end }, valueRange: lines.range(start, end),
      resource: { start: resStart, end: resEnd }, resourceLine: lines.position(resStart).line,
      attributeLine: lines.position(attrKey?.range?.[0] ?? s).line,
      ...(ignores.length ? { metadataIgnores: ignores } : {}),
      ...(json && resMap?.range && firstKey !== undefined ? {
        json: {
          open: resMap.range[0], firstKey, hasMetadata: !!metadata, hasFinops: !!finops,
          ...(isMap(metaNode) && metaNode.range ? { metadataObject: { open: metaNode.range[0], empty: (metaNode as YAMLMap).items.length === 0 } } : {}),
          ...(isSeq(ignoreNode) && ignoreNode.range ? { finopsIgnoreArray: { open: ignoreNode.range[0], empty: (ignoreNode as YAMLSeq).items.length === 0 } } : {}),
        },
      } : {}),
    });
  }
  return out;
}

/** The size declarations of one Terraform (`.tf`) or CloudFormation (`.yaml`, `.yml`, `.json`, `.template`) file. */
export function findSizeDeclarations(path: string, text: string): SizeDeclaration[] {
  if (/\.tf$/i.test(path)) return hclDeclarations(text);
  if (/\.(ya?ml|json|template)$/i.test(path)) return cfnDeclarations(text);
  return [];
}
