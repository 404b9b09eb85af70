import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyModel, DEFAULT_TINY_MODEL_DIR } from '../fixtures/build-tiny-model.js';
import { probeFfmpeg, runDoctor } from '../src/engine/doctor.js';
import { probeProvider } from '../src/engine/providers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mmduet-doctor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('doctor', () => {
  it('probes the bundled CPU provider as usable, and cuda with its reason when it is not installed', async () => {
    expect(await probeProvider('cpu')).toEqual({ provider: 'cpu', usable: true, bundled: true });
    const cuda = await probeProvider('cuda');
    if (!cuda.usable) expect(cuda.error).toMatch(/\S/);
  });

  it('reports a missing ffmpeg binary (MMDUET_FFMPEG) instead of throwing', () => {
    const r = probeFfmpeg(join(tmp, 'no-such-ffmpeg'));
    expect(r.ok).toBe(false);
    expect(r.error).toContain('ENOENT');
  });

  it('checks a model directory: the fixture passes, a broken copy fails with the missing file named', async () => {
    const good = await runDoctor({ modelDir: DEFAULT_TINY_MODEL_DIR });
    expect(good.model).toMatchObject({ ok: true, noHeads: false });
    expect(good.lines.some((l) => l.includes('meets the contract (qwen2, 2 layers, width 16, vocab 320, dtypes vision fp32, embed fp32, decoder fp32, 6 files'))).toBe(true);
    const dir = join(tmp, 'broken');
    buildTinyModel(dir);
    unlinkSync(join(dir, 'tokenizer.json'));
    const bad = await runDoctor({ modelDir: dir });
    expect(bad.ok).toBe(false);
    expect(bad.model?.error).toContain('model directory is missing tokenizer.json');
  });
});
