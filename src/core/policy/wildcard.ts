/**
 * Wildcard patterns (`*` any run of characters, `?` one character where allowed) compiled to matchers that
 * never backtrack: the text between two `*` is looked for leftmost, once, in order, so a match costs at most
 * the value's length times a segment's length whatever the pattern (AWS tag policy values such as `a*a*a*b`
 * cannot make it slow, as they do a backtracking regular expression).
 */
type Matcher = (value: string) => boolean;

const cache = new Map<string, Matcher>();

export function wildcardMatcher(pattern: string, question: boolean): Matcher {
  const cacheKey = `${question ? '?' : '*'}${pattern}`;
  let m = cache.get(cacheKey);
  if (!m) {
    if (cache.size > 2000) cache.clear();
    m = compile(pattern, question);
    cache.set(cacheKey, m);
  }
  return m;
}

function compile(pattern: string, question: boolean): Matcher {
  const parts = pattern.split('*');
  const same = (value: string, at: number, segment: string): boolean => {
    if (!question) return value.startsWith(segment, at);
    for (let i = 0; i < segment.length; i++) {
      const c = segment.charCodeAt(i);
      if (c !== 63 && c !== value.charCodeAt(at + i)) return false;
    }
    return true;
  };
  const find = (value: string, segment: string, from: number, end: number): number => {
    if (!question || !segment.includes('?')) {
      const i = value.indexOf(segment, from);
      return i >= 0 && i + segment.length <= end ? i : -1;
    }
    for (let i = from; i + segment.length <= end; i++) if (same(value, i, segment)) return i;
    return -1;
  };
  if (parts.length === 1) return (value) => value.length === pattern.length && same(value, 0, pattern);
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  return (value) => {
    if (value.length < first.length + last.length) return false;
    const end = value.length - last.length;
    if (!same(value, 0, first) || !same(value, end, last)) return false;
    let pos = first.length;
    for (const segment of middle) {
      const i = find(value, segment, pos, end);
      if (i < 0) return false;
      pos = i + segment.length;
    }
    return true;
  };
}
