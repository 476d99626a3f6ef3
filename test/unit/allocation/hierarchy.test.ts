import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveHierarchy, parseHierarchyInput, normalizeTagKey, tagValue, DEFAULT_HIERARCHY } from '../../../src/core/allocation/hierarchy';

test('the view choice wins, then the policy, then the setting, then Team → Project', () => {
  assert.deepEqual(resolveHierarchy({ view: ['A'], policy: ['B'], settings: ['C'] }), { keys: ['A'], origin: 'view' });
  assert.deepEqual(resolveHierarchy({ policy: ['B'], settings: ['C'] }), { keys: ['B'], origin: 'policy' });
  assert.deepEqual(resolveHierarchy({ settings: ['C', 'D'] }), { keys: ['C', 'D'], origin: 'settings' });
  assert.deepEqual(resolveHierarchy({ settings: [] }), { keys: [...DEFAULT_HIERARCHY], origin: 'default' });
  assert.deepEqual(resolveHierarchy({ view: [], policy: ['B'] }), { keys: ['B'], origin: 'policy' });
});

test('a typed hierarchy accepts commas and arrows', () => {
  assert.deepEqual(parseHierarchyInput('Team, Project').keys, ['Team', 'Project']);
  assert.deepEqual(parseHierarchyInput('Team → Project > Model').keys, ['Team', 'Project', 'Model']);
  assert.ok(parseHierarchyInput(' , ').problem);
});

test('tag keys match across cloud naming rules', () => {
  assert.equal(normalizeTagKey('CostCenter'), normalizeTagKey('cost_center'));
  assert.equal(normalizeTagKey('CostCenter'), normalizeTagKey('cost-center'));
  assert.notEqual(normalizeTagKey('Team'), normalizeTagKey('Teams'));
  assert.equal(tagValue({ team: 'ml', Team: 'ML' }, 'Team'), 'ML');
  assert.equal(tagValue({ cost_center: '42' }, 'CostCenter'), '42');
  assert.equal(tagValue({ other: 'x' }, 'Team'), undefined);
});
