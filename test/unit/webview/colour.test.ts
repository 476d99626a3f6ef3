import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contrastRatio, deltaE2000, deltaE2000Lab, distinctPalette, hslHex, neutralPair, over, parseColour, readableOn, toHex, withContrast,
} from '../../../src/shared/colour';

const c = (s: string) => parseColour(s)!;

test('parses the colour forms VS Code themes and the canvas use', () => {
  assert.deepEqual(parseColour('#fff'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColour('#cccccc80'), { r: 204, g: 204, b: 204, a: 128 / 255 });
  assert.deepEqual(parseColour('rgba(10, 20, 30, 0.5)'), { r: 10, g: 20, b: 30, a: 0.5 });
  assert.deepEqual(parseColour('rgb(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 });
  assert.equal(parseColour('var(--x)'), undefined);
  assert.equal(parseColour('#12345'), undefined);
  assert.equal(toHex(over(c('#00000080'), c('#ffffff'))), '#7f7f7f');
  assert.equal(hslHex(0, 100, 50), '#ff0000');
  assert.equal(hslHex(120, 100, 25), '#008000');
});

test('WCAG contrast ratios', () => {
  assert.equal(contrastRatio(c('#000'), c('#fff')), 21);
  assert.ok(Math.abs(contrastRatio(c('#767676'), c('#ffffff')) - 4.54) < 0.01);
  assert.equal(contrastRatio(c('#777'), c('#777')), 1);
});

test('CIEDE2000 matches the published test data (Sharma, Wu and Dalal 2005)', () => {
  const pairs: [[number, number, number], [number, number, number], number][] = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 0, 0], [50, -1, 2], 2.3669],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
  ];
  for (const [[l1, a1, b1], [l2, a2, b2], want] of pairs) {
    const got = deltaE2000Lab({ l: l1, a: a1, b: b1 }, { l: l2, a: a2, b: b2 });
    assert.ok(Math.abs(got - want) < 1e-4, `${got} ≠ ${want}`);
  }
  assert.ok(Math.abs(deltaE2000(c('#000'), c('#fff')) - 100) < 0.01);
});

test('a colour too faint for its background is darkened on light themes and lightened on dark ones, hue kept', () => {
  const yellowOnWhite = withContrast(c('#cca700'), c('#ffffff'), 3);
  assert.ok(contrastRatio(yellowOnWhite, c('#ffffff')) >= 3);
  assert.ok(yellowOnWhite.r > yellowOnWhite.b, 'still a yellow');
  const blueOnBlack = withContrast(c('#0f4a85'), c('#000000'), 3);
  assert.ok(contrastRatio(blueOnBlack, c('#000000')) >= 3);
  assert.ok(blueOnBlack.b > blueOnBlack.r, 'still a blue');
  assert.equal(toHex(withContrast(c('#3794ff'), c('#1f1f1f'), 3)), '#3794ff', 'enough already: unchanged');
});

test('the palette keeps the theme colours that differ, and every colour stands out from the background', () => {
  // Light Modern's chart colours: orange #d18616 and yellow #bf8803 are one colour at a glance once darkened for contrast
  const light = ['#1a85ff', '#d18616', '#388a34', '#652d90', '#bf8803', '#e51400'];
  const bg = '#f8f8f8';
  const [untagged, other] = neutralPair('#61616180', '#3b3b3b80', bg);
  const extra = Array.from({ length: 60 }, (_, i) => hslHex((i * 137.508) % 360, 60, i % 2 ? 35 : 50));
  const palette = distinctPalette([...light, ...extra], bg, { count: 12, reserved: [untagged, other] });
  assert.equal(palette.length, 12);
  assert.equal(palette[0], '#1a85ff');
  assert.ok(!palette.includes('#bf8803'));
  const all = [untagged, other, ...palette].map(c);
  for (const x of all) assert.ok(contrastRatio(x, c(bg)) >= 3, `${toHex(x)} on ${bg}`);
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(deltaE2000(all[i]!, all[j]!) >= 12, `${toHex(all[i]!)} vs ${toHex(all[j]!)}`);
});

test('the untagged and "Other" greys are told apart even when the theme gives them one colour', () => {
  const [u, o] = neutralPair('#cccccc80', '#cccccc80', '#202020');
  assert.notEqual(u, o);
  assert.ok(deltaE2000(c(u), c(o)) >= 12);
  for (const x of [u, o]) assert.ok(contrastRatio(c(x), c('#202020')) >= 3);
});

test('too few distinct candidates: the kept colours repeat rather than a faint one being used', () => {
  const p = distinctPalette(['#3794ff', '#3795ff', 'nonsense'], '#1e1e1e', { count: 4 });
  assert.deepEqual(p, ['#3794ff', '#3794ff', '#3794ff', '#3794ff']);
});

test('status text is made readable on the cards and the page alike: Light Modern\'s green and orange reach 4.5:1', () => {
  const green = readableOn('#388a34', ['#f8f8f8', '#ffffff'], 4.5)!;
  const orange = readableOn('#d18616', ['#f8f8f8', '#ffffff'], 4.5)!;
  for (const c2 of [green, orange]) for (const bg of ['#f8f8f8', '#ffffff']) assert.ok(contrastRatio(c(c2), c(bg)) >= 4.5, `${c2} on ${bg}`);
  assert.ok(c(green).g > c(green).r, 'still green');
  assert.equal(readableOn('#89d185', ['#202020', '#1f1f1f'], 4.5), '#89d185', 'readable already: unchanged');
  assert.equal(readableOn('nonsense', ['#fff'], 4.5), undefined);
});
