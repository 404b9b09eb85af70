import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCases, hasShared, readJsonFile } from './helpers/golden.js';
import { ptbTokenize } from '../src/metrics/ptb-tokenizer.js';

interface ProbeItem {
  input: string;
  tokenized: string;
  input_nonascii_to_space: string;
  tokenized_nonascii_to_space: string;
}

describe.skipIf(!hasShared)('golden tok: Java PTBTokenizer 3.4.1 probes through the coco-caption filter', () => {
  const cases = goldenCases('tok');
  it('has the probe case', () => expect(cases.length).toBeGreaterThanOrEqual(1));

  for (const c of cases) {
    it(`${c.name}: every probe, raw and non-ASCII -> space`, () => {
      const items = readJsonFile<{ references: { ptb: { items: ProbeItem[] } } }>(join(c.dir, 'expected.json')).references.ptb.items;
      expect(items.length).toBeGreaterThanOrEqual(70);
      const mismatches: string[] = [];
      for (const [i, it] of items.entries()) {
        const raw = ptbTokenize(it.input);
        if (raw !== it.tokenized) mismatches.push(`#${i} raw ${JSON.stringify(it.input)}: expected ${JSON.stringify(it.tokenized)}, got ${JSON.stringify(raw)}`);
        // The golden also records the stripped input; our stripping must reproduce it.
        const stripped = ptbTokenize(it.input, { stripNonAscii: true });
        const viaGoldenInput = ptbTokenize(it.input_nonascii_to_space);
        for (const [label, got] of [['strip', stripped], ['stripped-input', viaGoldenInput]] as const) {
          if (got !== it.tokenized_nonascii_to_space) {
            mismatches.push(`#${i} ${label} ${JSON.stringify(it.input)}: expected ${JSON.stringify(it.tokenized_nonascii_to_space)}, got ${JSON.stringify(got)}`);
          }
        }
      }
      console.log(`${c.name}: ${items.length} probes x 2 modes, ${mismatches.length} mismatches`);
      expect(mismatches).toEqual([]);
    });
  }
});
