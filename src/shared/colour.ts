/**
 * Colour arithmetic for charts that must stay readable in every VS Code theme (light, dark, high contrast): WCAG
 * contrast ratios, CIEDE2000 colour differences, and a palette built from the theme's own chart colours, each
 * darkened or lightened until it stands out from the background, those too close to another left out.
 * Pure functions (no DOM): the dashboard page and the unit tests use the same ones.
 */

/** sRGB channels 0–255, alpha 0–1. */
export interface Rgba { r: number; g: number; b: number; a: number }

export interface Lab { l: number; a: number; b: number }

/** WCAG 2.x: non-text graphics (chart marks) need 3:1 against what is next to them, body text 4.5:1. */
export const GRAPHICS_CONTRAST = 3;
export const TEXT_CONTRAST = 4.5;
/**
 * Two series colours closer than this (CIEDE2000) are not told apart at a glance in a legend; 1–2 is the just
 * noticeable difference, 10 reads as "a different colour" for small swatches.
 */
export const DISTINCT_DELTA_E = 12;

/** `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(…)` / `rgba(…)` (commas or spaces); undefined for anything else. */
export function parseColour(text: string): Rgba | undefined {
  const s = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
    if (full.length !== 6 && full.length !== 8) return undefined;
    const n = (i: number): number => parseInt(full.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: full.length === 8 ? n(6) / 255 : 1 };
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(s)?.[1];
  if (fn) {
    const parts = fn.split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return undefined;
    const channel = (p: string): number => (p.endsWith('%') ? (parseFloat(p) * 255) / 100 : parseFloat(p));
    const alpha = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3]);
    const [r, g, b] = parts.slice(0, 3).map(channel) as [number, number, number];
    if (![r, g, b, alpha].every(Number.isFinite)) return undefined;
    return { r: clamp(r, 0, 255), g: clamp(g, 0, 255), b: clamp(b, 0, 255), a: clamp(alpha, 0, 1) };
  }
  return undefined;
}

/** `#rrggbb` (alpha dropped: composite first with `over`). */
export function toHex(c: Rgba): string {
  return `#${[c.r, c.g, c.b].map((v) => Math.round(clamp(v, 0, 255)).toString(16).padStart(2, '0')).join('')}`;
}

/** A colour as seen over an opaque background (alpha composited away). */
export function over(fg: Rgba, bg: Rgba): Rgba {
  const a = fg.a;
  return { r: fg.r * a + bg.r * (1 - a), g: fg.g * a + bg.g * (1 - a), b: fg.b * a + bg.b * (1 - a), a: 1 };
}

const linear = (v: number): number => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
const gamma = (c: number): number => 255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
function clamp(v: number, lo: number, hi: number): number { return Math.min(hi, Math.max(lo, v)); }

/** WCAG relative luminance of an opaque colour. */
export function relativeLuminance(c: Rgba): number {
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

/** WCAG contrast ratio (1–21) of two colours; a translucent `a` is first composited over `b`. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const la = relativeLuminance(over(a, b));
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

// CIE L*a*b* under D65
const WHITE = [0.95047, 1, 1.08883] as const;
const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
const fInv = (t: number): number => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));

function toLab(c: Rgba): Lab {
  const [r, g, b] = [linear(c.r), linear(c.g), linear(c.b)];
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / WHITE[0];
  const y = (0.2126729 * r + 0.7151522 * g + 0.072175 * b) / WHITE[1];
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / WHITE[2];
  const [fx, fy, fz] = [f(x), f(y), f(z)];
  return { l: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz) };
}

function fromLab(lab: Lab): Rgba {
  const fy = (lab.l + 16) / 116;
  const [x, y, z] = [fInv(fy + lab.a / 500) * WHITE[0], fInv(fy) * WHITE[1], fInv(fy - lab.b / 200) * WHITE[2]];
  const r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  const g = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  const b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
  return { r: clamp(gamma(clamp(r, 0, 1)), 0, 255), g: clamp(gamma(clamp(g, 0, 1)), 0, 255), b: clamp(gamma(clamp(b, 0, 1)), 0, 255), a: 1 };
}

/** An opaque colour as `#rrggbb` writes it. */
function rounded(x: Rgba): Rgba {
  return { r: Math.round(x.r), g: Math.round(x.g), b: Math.round(x.b), a: 1 };
}

/** CIEDE2000 colour difference of two opaque colours (Sharma, Wu and Dalal 2005). */
export function deltaE2000(c1: Rgba, c2: Rgba): number {
  return deltaE2000Lab(toLab(c1), toLab(c2));
}

/** CIEDE2000 of two CIE L*a*b* colours. */
export function deltaE2000Lab(p: Lab, q: Lab): number {
  const rad = Math.PI / 180;
  const cBar = (Math.hypot(p.a, p.b) + Math.hypot(q.a, q.b)) / 2;
  const g = 0.5 * (1 - Math.sqrt(cBar ** 7 / (cBar ** 7 + 25 ** 7)));
  const a1 = (1 + g) * p.a;
  const a2 = (1 + g) * q.a;
  const C1 = Math.hypot(a1, p.b);
  const C2 = Math.hypot(a2, q.b);
  const hue = (b: number, a: number): number => { if (a === 0 && b === 0) return 0; const h = Math.atan2(b, a) / rad; return h < 0 ? h + 360 : h; };
  const h1 = hue(p.b, a1);
  const h2 = hue(q.b, a2);
  const dL = q.l - p.l;
  const dC = C2 - C1;
  let dh = 0;
  if (C1 * C2 !== 0) { dh = h2 - h1; if (dh > 180) dh -= 360; else if (dh < -180) dh += 360; }
  const dH = 2 * Math.sqrt(C1 * C2) * Math.sin((dh / 2) * rad);
  const lBar = (p.l + q.l) / 2;
  const CBar = (C1 + C2) / 2;
  let hBar = h1 + h2;
  if (C1 * C2 !== 0) { hBar = Math.abs(h1 - h2) <= 180 ? (h1 + h2) / 2 : h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2; }
  const t = 1 - 0.17 * Math.cos((hBar - 30) * rad) + 0.24 * Math.cos(2 * hBar * rad) + 0.32 * Math.cos((3 * hBar + 6) * rad) - 0.2 * Math.cos((4 * hBar - 63) * rad);
  const dTheta = 30 * Math.exp(-(((hBar - 275) / 25) ** 2));
  const rC = 2 * Math.sqrt(CBar ** 7 / (CBar ** 7 + 25 ** 7));
  const sL = 1 + (0.015 * (lBar - 50) ** 2) / Math.sqrt(20 + (lBar - 50) ** 2);
  const sC = 1 + 0.045 * CBar;
  const sH = 1 + 0.015 * CBar * t;
  const rT = -Math.sin(2 * dTheta * rad) * rC;
  return Math.sqrt((dL / sL) ** 2 + (dC / sC) ** 2 + (dH / sH) ** 2 + rT * (dC / sC) * (dH / sH));
}

/**
 * The colour darkened (on a light background) or lightened (on a dark one), hue and chroma kept as far as sRGB
 * allows, until it has `minContrast` against the background; unchanged when it already has.
 */
export function withContrast(colour: Rgba, background: Rgba, minContrast: number): Rgba {
  // measured as it will be written (#rrggbb): rounding must not take a colour back under the threshold
  let c = rounded(over(colour, background));
  if (contrastRatio(c, background) >= minContrast) return c;
  const lab = toLab(c);
  const darker = relativeLuminance(background) > 0.18;
  for (let l = lab.l; l >= 0 && l <= 100; l += darker ? -0.5 : 0.5) {
    c = rounded(fromLab({ ...lab, l }));
    if (contrastRatio(c, background) >= minContrast) return c;
  }
  return rounded(fromLab({ l: darker ? 0 : 100, a: 0, b: 0 }));
}

/**
 * A categorical palette for a background: the candidates in order (the theme's chart colours first), each given
 * `minContrast` against the background, and kept only when it differs from every colour kept before it — and from
 * the `reserved` ones (the untagged and "Other" greys) — by at least `minDeltaE`. Unparsable candidates are skipped.
 * When fewer than `count` survive, the kept ones repeat.
 */
export function distinctPalette(
  candidates: readonly string[],
  background: string,
  options: { count: number; minContrast?: number; minDeltaE?: number; reserved?: readonly string[] },
): string[] {
  const bg = parseColour(background) ?? { r: 255, g: 255, b: 255, a: 1 };
  const opaqueBg = { ...bg, a: 1 };
  const minContrast = options.minContrast ?? GRAPHICS_CONTRAST;
  const minDeltaE = options.minDeltaE ?? DISTINCT_DELTA_E;
  const taken: Rgba[] = (options.reserved ?? []).map(parseColour).filter((c): c is Rgba => !!c).map((c) => over(c, opaqueBg));
  const kept: string[] = [];
  for (const text of candidates) {
    if (kept.length >= options.count) break;
    const parsed = parseColour(text);
    if (!parsed) continue;
    const c = withContrast(parsed, opaqueBg, minContrast);
    if (taken.some((t) => deltaE2000(t, c) < minDeltaE)) continue;
    taken.push(c);
    kept.push(toHex(c));
  }
  const out = [...kept];
  for (let i = 0; kept.length > 0 && out.length < options.count; i++) out.push(kept[i % kept.length]!);
  return out;
}

/**
 * Two greys for the untagged and "Other" marks, from the theme's own (disabled foreground, chart lines): each with
 * `minContrast` against the background, the second moved away from the first until they differ by `minDeltaE`.
 */
export function neutralPair(untagged: string, other: string, background: string, options: { minContrast?: number; minDeltaE?: number } = {}): [string, string] {
  const bg = { ...(parseColour(background) ?? { r: 255, g: 255, b: 255, a: 1 }), a: 1 };
  const minContrast = options.minContrast ?? GRAPHICS_CONTRAST;
  const minDeltaE = options.minDeltaE ?? DISTINCT_DELTA_E;
  const u = withContrast(parseColour(untagged) ?? { r: 139, g: 139, b: 139, a: 1 }, bg, minContrast);
  let o = withContrast(parseColour(other) ?? { r: 139, g: 139, b: 139, a: 1 }, bg, minContrast);
  if (deltaE2000(u, o) < minDeltaE) {
    // "Other" moves to the side of the untagged grey with more room: further from the background first
    const lab = toLab(u);
    const away = relativeLuminance(bg) > 0.18 ? -1 : 1;
    for (const dir of [away, -away]) {
      let l = lab.l;
      let found: Rgba | undefined;
      for (; l >= 0 && l <= 100; l += dir) {
        const c = rounded(fromLab({ l, a: 0, b: 0 }));
        if (deltaE2000(u, c) >= minDeltaE && contrastRatio(c, bg) >= minContrast) { found = c; break; }
      }
      if (found) { o = found; break; }
    }
  }
  return [toHex(u), toHex(o)];
}

/** `#rrggbb` of an HSL colour (hue in degrees, saturation and lightness in %). */
export function hslHex(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const k = (n: number): number => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const ch = (n: number): number => 255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1)));
  return toHex({ r: ch(0), g: ch(8), b: ch(4), a: 1 });
}

/**
 * `#rrggbb` of a colour given `minContrast` against each of several backgrounds (the cards and the page they sit
 * on), hue kept; the colour itself (normalised) when it already has. Undefined for an unparsable colour.
 */
export function readableOn(colour: string, backgrounds: readonly string[], minContrast: number): string | undefined {
  const parsed = parseColour(colour);
  if (!parsed) return undefined;
  const bgs = backgrounds.map(parseColour).filter((b): b is Rgba => !!b).map((b) => ({ ...b, a: 1 }));
  let c = bgs[0] ? over(parsed, bgs[0]) : { ...parsed, a: 1 };
  // two rounds: darkening for one light background never undoes the other's (both are light, or both dark)
  for (let round = 0; round < 2; round++) for (const bg of bgs) c = withContrast(c, bg, minContrast);
  return toHex(c);
}
