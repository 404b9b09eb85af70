import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { runDoctor } from '../engine/doctor.js';

export default class Doctor extends BaseCommand {
  static override summary = 'Check execution providers (cpu, webgpu, cuda), ffmpeg and, with --model, a model directory.';
  static override description =
    'Creates a one-node ONNX session on each provider and prints why each one is or is not usable, finds ffmpeg ' +
    '(MMDUET_FFMPEG overrides the one on the PATH), and loads a model directory on CPU to check its contract ' +
    '(model-contract.md). Exits 1 when something needed is missing.';
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --model models/mmduet-onnx'];
  static override flags = {
    model: Flags.string({ description: 'model directory to check against the contract' }),
    dtype: Flags.string({ description: 'graph dtype to check (fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4); default: config.json, else fp32' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const report = await runDoctor({ modelDir: flags.model, dtype: flags.dtype });
    for (const line of report.lines) this.log(line);
    if (!report.ok) this.exit(1);
  }
}
