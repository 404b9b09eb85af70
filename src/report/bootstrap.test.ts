import { describe, expect, it } from 'vitest';
import { pairedClusterBootstrap, quantileSorted } from './bootstrap.js';
import { fnv1a, mulberry32, streamSeed } from '../util/prng.js';

const opts = { resamples: 10000, seed: 7, level: 0.95 };

describe('quantileSorted (type 7, numpy default)', () => {
  it('interpolates between order statistics', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    // numpy.quantile(range(1, 11), 0.975) == 9.775
    expect(quantileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.975)).toBeCloseTo(9.775, 12);
    expect(quantileSorted([5], 0.5)).toBe(5);
  });
});

describe('pairedClusterBootstrap', () => {
  it('constant deltas give a zero-width interval at that constant', () => {
    const deltas = [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25];
    const ci = pairedClusterBootstrap(deltas, [0, 0, 1, 1, 1, 2, 2], opts)!;
    expect(ci.mean).toBe(0.25);
    expect(ci.low).toBe(0.25);
    expect(ci.high).toBe(0.25);
    expect(ci.clusters).toBe(3);
    expect(ci.items).toBe(7);
  });

  it('two items: the interval is exactly [min, max] of the deltas (resample means are -1, 1, 3 with p = 1/4, 1/2, 1/4)', () => {
    const ci = pairedClusterBootstrap([-1, 3], [0, 1], opts)!;
    expect(ci.mean).toBe(1);
    expect(ci.low).toBe(-1);
    expect(ci.high).toBe(3);
  });

  it('resamples whole clusters: a 3-item cluster (+1 each) and a 1-item cluster (-3) give means 1, 0, -3 only', () => {
    // Item-level resampling would put the 2.5% quantile at (1 - 3 - 3 - 3)/4 = -2 (P(all four draws = -3) is only 0.4%).
    const ci = pairedClusterBootstrap([1, 1, 1, -3], [0, 0, 0, 1], { ...opts, level: 0.95 })!;
    expect(ci.mean).toBe(0);
    expect(ci.low).toBe(-3);
    expect(ci.high).toBe(1);
    const middle = pairedClusterBootstrap([1, 1, 1, -3], [0, 0, 0, 1], { ...opts, level: 0.2 })!;
    expect(middle.low).toBe(0);
    expect(middle.high).toBe(0);
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const deltas = Array.from({ length: 50 }, (_, i) => Math.sin(i) * 2);
    const clusters = deltas.map((_, i) => Math.floor(i / 2));
    const a = pairedClusterBootstrap(deltas, clusters, opts)!;
    const b = pairedClusterBootstrap(deltas, clusters, opts)!;
    const c = pairedClusterBootstrap(deltas, clusters, { ...opts, seed: 8 })!;
    expect(b).toEqual(a);
    expect(c.low).not.toBe(a.low);
    expect(a.low).toBeLessThan(a.mean);
    expect(a.high).toBeGreaterThan(a.mean);
  });

  it('matches a straightforward implementation driven by prng.ts mulberry32 (the inlined generator is the same)', () => {
    const deltas = Array.from({ length: 30 }, (_, i) => Math.cos(i * 1.7));
    const clusters = deltas.map((_, i) => i % 11);
    const random = mulberry32(99);
    const sums = new Array(11).fill(0);
    const sizes = new Array(11).fill(0);
    deltas.forEach((d, i) => {
      sums[clusters[i]!] += d;
      sizes[clusters[i]!] += 1;
    });
    const stats: number[] = [];
    for (let r = 0; r < 400; r++) {
      let sum = 0;
      let size = 0;
      for (let k = 0; k < 11; k++) {
        const c = Math.floor(random() * 11);
        sum += sums[c];
        size += sizes[c];
      }
      stats.push(sum / size);
    }
    stats.sort((a, b) => a - b);
    const ci = pairedClusterBootstrap(deltas, clusters, { resamples: 400, seed: 99, level: 0.9 })!;
    // Close rather than equal: (1 - 0.9) / 2 is 0.04999999999999999 in float64, which moves the last bit.
    expect(ci.low).toBeCloseTo(quantileSorted(stats, 0.05), 14);
    expect(ci.high).toBeCloseTo(quantileSorted(stats, 0.95), 14);
    expect(ci.low).not.toBeCloseTo(ci.high, 2);
  });

  it('refuses a single cluster (no information about noise)', () => {
    expect(pairedClusterBootstrap([1, 2, 3], [0, 0, 0], opts)).toBeNull();
  });
});

describe('prng', () => {
  it('mulberry32 is uniform on [0, 1) and deterministic', () => {
    const r = mulberry32(42);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100000; i++) {
      const x = r();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(sum / 100000).toBeCloseTo(0.5, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mulberry32(42)()).toBe(mulberry32(42)());
  });

  it('fnv1a matches the published test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('gives each metric its own stream', () => {
    expect(streamSeed(1, 'CIDEr')).not.toBe(streamSeed(1, 'SODA_c'));
    expect(streamSeed(1, 'CIDEr')).not.toBe(streamSeed(2, 'CIDEr'));
  });
});
