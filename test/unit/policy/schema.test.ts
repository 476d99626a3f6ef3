import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findingCodes } from '../../../src/core/policy/model';

const root = join(__dirname, '../../..');
const schema = JSON.parse(readFileSync(join(root, 'schemas/finops.schema.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('the JSON schema for .finops.yaml is contributed through yamlValidation', () => {
  const entry = pkg.contributes.yamlValidation.find((v: { url: string }) => v.url === './schemas/finops.schema.json');
  assert.ok(entry, 'no yamlValidation entry');
  assert.ok([].concat(entry.fileMatch).includes('.finops.yaml' as never));
});

test('the schema lists the same tag keys, rule keys and finding codes as the loader', async () => {
  const load = readFileSync(join(root, 'src/core/policy/load.ts'), 'utf8');
  const tagKeys = Object.keys(schema.properties.tags.properties).sort();
  for (const k of tagKeys) assert.match(load, new RegExp(`\\b${k}:`), `schema key tags.${k} unknown to the loader`);
  const { loadPolicy } = await import('../../../src/core/policy/load');
  const yaml = `tags:\n${tagKeys.map((k) => `  ${k}: ${k === 'rules' || k === 'severities' || k === 'gcp' ? '{}' : k === 'severity' ? 'info' : k === 'reportUnknown' ? 'true' : '[]'}`).join('\n')}\n`;
  assert.deepEqual(loadPolicy(yaml).problems.filter((p) => /Unknown key/.test(p.message)), []);
  assert.deepEqual(Object.keys(schema.properties.tags.properties.severities.properties).sort(), [...findingCodes].sort());
  const ruleKeys = Object.keys(schema.definitions.rule.properties).sort();
  const rules = `tags:\n  rules:\n    A: { ${ruleKeys.map((k) => `${k}: ${k === 'allowed' || k === 'providers' ? '[aws]' : k === 'ignoreCase' ? 'true' : k === 'severity' ? 'info' : 'x'}`).join(', ')} }\n`;
  assert.deepEqual(loadPolicy(rules).problems.filter((p) => p.severity === 'error'), []);
});
