import { describe, expect, it } from 'vitest';
import { protocolColumn, resolveConventions } from './conventions.js';

describe('protocol conventions', () => {
  it('the mmduet column reproduces the paper path', () => {
    const c = protocolColumn('mmduet');
    expect([c.f1, c.missingVideos, c.stripNonAscii, c.sodaVariant, c.padWithOne]).toEqual(['per-video', 'drop', false, 'timechat', true]);
  });

  it('the standard column follows the public evaluators', () => {
    const c = protocolColumn('standard');
    expect([c.f1, c.missingVideos, c.stripNonAscii, c.sodaVariant, c.padWithOne]).toEqual(['of-means', 'zero', true, 'fujiso', false]);
  });

  it('lists only overrides that differ from the protocol column', () => {
    const r = resolveConventions('mmduet', { f1: 'of-means', missingVideos: 'drop', stripNonAscii: undefined });
    expect(r.conventions.f1).toBe('of-means');
    expect(r.overridden).toEqual([{ key: 'f1', protocolValue: 'per-video', value: 'of-means' }]);
  });
});
