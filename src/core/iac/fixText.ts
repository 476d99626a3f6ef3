import { gcpLabelCandidates } from '../policy/gcpLabels';
import { own, type Cloud, type TagPolicy } from '../policy/model';

/** The value a quick fix writes for a key: the rule's example, its first allowed value, or a placeholder. */
export function placeholderFor(policy: TagPolicy, key: string, cloud: Cloud): { text: string; choices?: string[] } {
  const rule = own(policy.rules, key) ?? own(policy.rules, Object.keys(policy.rules).find((k) => gcpLabelCandidates(k, policy.gcpLabelKeys).includes(key)) ?? '');
  const allowed = rule?.allowed?.filter((a) => !a.includes('*'));
  if (allowed && allowed.length > 0) return { text: allowed[0]!, choices: allowed };
  if (rule?.example && !(cloud === 'gcp' && /[^a-z0-9_-]/.test(rule.example))) return { text: rule.example };
  return { text: cloud === 'gcp' ? 'todo' : 'TODO' };
}

/** How a placeholder value reads in a finding: `"TODO"`, or `empty`. */
export function placeholderText(value: string): string {
  return value.trim() === '' ? 'empty' : JSON.stringify(value);
}

/** The key as written in the tag map: the policy key, or on GCP its preferred label spelling. */
export function keyFor(policy: TagPolicy, policyKey: string, cloud: Cloud): string {
  return cloud === 'gcp' ? (gcpLabelCandidates(policyKey, policy.gcpLabelKeys)[0] ?? policyKey.toLowerCase()) : policyKey;
}

const bareKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function hclString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

function snippetEscape(s: string): string {
  return s.replace(/[$}\\]/g, '\\$&');
}

function choiceEscape(s: string): string {
  return s.replace(/[$}\\,|]/g, '\\$&');
}

interface EntryText {
  text: string;
  snippet: string;
}

/**
 * HCL map entries, one per line with `=` aligned as `terraform fmt` does, each line starting with `indent`
 * and ending with a newline. The snippet form has a tab stop (or a choice of allowed values) per value.
 */
export function hclEntries(entries: Array<{ key: string; value: string; choices?: string[] }>, indent: string, firstTabStop = 1): EntryText {
  const keys = entries.map((e) => (bareKey.test(e.key) ? e.key : JSON.stringify(e.key)));
  const width = Math.max(...keys.map((k) => k.length));
  let text = '';
  let snippet = '';
  entries.forEach((e, i) => {
    const k = keys[i]!.padEnd(width);
    text += `${indent}${k} = ${hclString(e.value)}\n`;
    const n = firstTabStop + i;
    const body = e.choices && e.choices.length > 1
      ? `\${${n}|${e.choices.map(choiceEscape).join(',')}|}`
      : `\${${n}:${snippetEscape(JSON.stringify(e.value).slice(1, -1))}}`;
    snippet += `${snippetEscape(indent)}${snippetEscape(k)} = "${body}"\n`;
  });
  return { text, snippet };
}

/** Escapes plain text for use inside a snippet. */
export function asSnippet(text: string): string {
  return snippetEscape(text);
}

/** One-line entries: `A = "x", B = "y"`. */
export function inlineEntries(entries: Array<{ key: string; value: string }>): string {
  return entries.map((e) => `${bareKey.test(e.key) ? e.key : JSON.stringify(e.key)} = ${hclString(e.value)}`).join(', ');
}

/** Quotes a key for a CloudFormation YAML or JSON template. */
export function yamlScalar(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(s) ? s : JSON.stringify(s);
}
