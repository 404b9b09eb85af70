import { describe, expect, it } from 'vitest';
import { comparable } from '../../../test/report-fixtures.js';
import { compareResults } from '../compare.js';
import { formatNumber, formatSigned } from './format.js';
import { escapeCommandData, escapeCommandProperty, githubAnnotations } from './github.js';
import { escapeXml, renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

const options = { tolerances: {}, allowMismatch: true, seed: 1, resamples: 100, top: 3 };

describe('formatting', () => {
  it('prints 3 decimals, or 2 significant digits where 3 decimals would print 0', () => {
    expect(formatNumber(8.8)).toBe('8.800');
    expect(formatNumber(-0.1234)).toBe('-0.123');
    expect(formatNumber(0.0004)).toBe('0.00040');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(null)).toBe('n/a');
    expect(formatSigned(0.5)).toBe('+0.500');
    expect(formatSigned(-2)).toBe('-2.000');
  });

  it('escapes XML and GitHub workflow commands', () => {
    expect(escapeXml(`R<0.5> & "x" 'y'\u0001`)).toBe('R&lt;0.5&gt; &amp; &quot;x&quot; &apos;y&apos;');
    expect(escapeCommandData('95% CI\nnext')).toBe('95%25 CI%0Anext');
    expect(escapeCommandProperty('a: b, c')).toBe('a%3A b%2C c');
  });
});

describe('reporters on a mismatched pair with a missing metric and a metric without per-item values', () => {
  const c = compareResults(
    comparable({ metrics: { CIDEr: 8.8, METEOR: 5.1, 'R<1>': 40 }, gold: 'gold-aaaa' }, 'base.json'),
    comparable({ metrics: { CIDEr: 8.1, METEOR: null, 'R<1>': 40 }, gold: 'gold-bbbb' }, 'cur.json'),
    options,
  );

  it('github: a warning for the mismatch, an error per failing metric', () => {
    expect(githubAnnotations(c)).toEqual([
      '::warning title=mmduet report magqa%3A results not comparable::results are not comparable, compared anyway (--allow-mismatch): gold data sha256 gold-aaaa (baseline) vs gold-bbbb (current)',
      '::error title=Regression in CIDEr (magqa)::CIDEr 8.800 -> 8.100 (-0.700, no CI: the drop alone decides)',
      '::error title=Missing metric in METEOR (magqa)::METEOR 5.100 -> n/a (MISSING)',
    ]);
  });

  it('markdown: the warning line, "(no CI)" and the reason', () => {
    const md = renderMarkdown(c);
    expect(md).toContain('> :warning: **Warning:** results are not comparable');
    expect(md).toContain('| CIDEr | 8.800 | 8.100 | -0.700 | n/a | :x: **REGRESSION** (no CI) |');
    expect(md).toContain('| METEOR | 5.100 | n/a | n/a | n/a | :x: **MISSING** |');
    expect(md).toContain('- No CI (no per-item values in the baseline result), the drop alone decides: CIDEr.');
  });

  it('junit: escaped names, two failures, the mismatch as a property', () => {
    const xml = renderJunit(c);
    expect(xml).toContain('<testsuites name="mmduet report" tests="3" failures="2">');
    expect(xml).toContain('<testcase classname="mmduet.magqa" name="R&lt;1&gt;">');
    expect(xml).toContain('<property name="mismatch: gold data sha256" value="gold-aaaa vs gold-bbbb"/>');
    expect(xml).toContain('<failure type="missing" message="METEOR 5.100 -&gt; n/a (MISSING)">');
  });
});
