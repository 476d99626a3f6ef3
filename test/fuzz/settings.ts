import { isFinOpsError } from '../../src/core/errors';
import { parseSetting, parseSettings, settingSchemas, type SettingKey } from '../../src/core/settings';
import { hostileString, pick, seeded } from './mutate';
import type { FuzzTarget } from './target';

/**
 * Fuzz target "settings": every key of `mlFinops.*` given values of every JSON type (and the odd ones a settings
 * file or a policy can hold: NaN, huge numbers, deep objects, paths out of the folder, hostile strings). A run is
 * right when nothing throws, every resulting value passes its own schema (an invalid one fell back to the default),
 * and each key given an invalid value is reported once.
 */
const keys = Object.keys(settingSchemas) as SettingKey[];

function value(random: () => number, depth = 0): unknown {
  switch (pick(random, ['undefined', 'null', 'bool', 'number', 'odd number', 'string', 'hostile', 'array', 'object', 'path', 'url', 'deep'] as const)) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'bool': return random() < 0.5;
    case 'number': return Math.round((random() - 0.3) * 2000) / 2;
    case 'odd number': return pick(random, [NaN, Infinity, -Infinity, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1]);
    case 'string': return pick(random, ['', ' ', 'us-east-1', 'eu-west-1', 'lastMonth', 'athena', 'EffectiveCost', 'Mon-Fri 08:00-19:00 Europe/Berlin', '.finops.yaml', 'Team', 's3://bucket/p/', '/subscriptions/abc', 'projects/my-proj-123']);
    case 'hostile': return hostileString(random);
    case 'array': return depth > 3 ? [] : Array.from({ length: Math.floor(random() * 7) }, () => value(random, depth + 1));
    case 'object': return depth > 3 ? {} : Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(random, ['a', '__proto__', 'constructor', 'toString', 'length']), value(random, depth + 1)]));
    case 'path': return pick(random, ['../../etc/passwd', '/etc/passwd', 'C:\\x', '~/.aws/credentials', 'a/../..', 'policies/tags.yaml', '\0', 'a'.repeat(5000)]);
    case 'url': return pick(random, ['http://127.0.0.1:4566', 'https://x', 'file:///etc/passwd', 'javascript:alert(1)', 'http://', 'ftp://x', 'http://[::1]:9']);
    case 'deep': { let v: unknown = 1; const n = pick(random, [10, 1000, 5000]); for (let i = 0; i < n; i++) v = [v]; return v; }
  }
}

export interface SettingsInput { raw: Partial<Record<SettingKey, unknown>>; steps: string[] }

export function settingsTarget(): FuzzTarget<SettingsInput> {
  return {
    name: 'settings',
    setup: async () => {}, teardown: async () => {},
    generate(seed) {
      const random = seeded(seed);
      const raw: Partial<Record<SettingKey, unknown>> = {};
      const steps: string[] = [];
      for (const k of keys) {
        if (random() < 0.5) continue;
        raw[k] = value(random);
        steps.push(k);
      }
      return { raw, steps };
    },
    describe: (i) => i.steps.map((k) => { let s: string; try { s = JSON.stringify(i.raw[k as SettingKey]) ?? 'undefined'; } catch { s = '(deep)'; } return `${k}=${s.slice(0, 60)}`; }).join('; '),
    async run(input) {
      try {
        const { settings, problems } = parseSettings(input.raw);
        for (const k of keys) {
          if (!parseSetting(k, settings[k]).success) return { kind: 'wrong', detail: `${k} holds an invalid value after parsing` };
          const valid = parseSetting(k, input.raw[k]).success;
          const reported = problems.filter((p) => p.key === k).length;
          if (reported !== (valid ? 0 : 1)) return { kind: 'wrong', detail: `${k}: ${reported} problems for a ${valid ? 'valid' : 'invalid'} value` };
        }
        if (typeof settings['tags.policyFile'] === 'string' && /^([\\/]|[A-Za-z]:|~)|(^|[\\/])\.\.([\\/]|$)/.test(settings['tags.policyFile']) && settings['tags.policyFile'] !== '.finops.yaml') {
          // a path climbing out may only pass when it comes back inside (a/../b); never one that leaves the folder
          const depth = settings['tags.policyFile'].split(/[\\/]+/).reduce((d, p) => (d < 0 ? d : p === '..' ? d - 1 : p && p !== '.' ? d + 1 : d), 0);
          if (depth < 0 || /^([\\/]|[A-Za-z]:|~)/.test(settings['tags.policyFile'])) return { kind: 'wrong', detail: `policyFile ${settings['tags.policyFile']} leaves the folder` };
        }
        return { kind: 'ok' };
      } catch (e) {
        return isFinOpsError(e) ? { kind: 'refused' } : { kind: 'thrown', detail: e instanceof Error ? e.stack ?? e.message : String(e) };
      }
    },
  };
}
