import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { replot } from '../sweep/index.js';

export default class Plot extends BaseCommand {
  static override summary = 'Re-render the PNG plots of a sweep file.';
  static override examples = ['<%= config.bin %> plot runs/qvh/sweeps/w/sweep.json --out figures/'];

  static override args = {
    sweep: Args.string({ required: true, description: 'sweep.json written by mmduet sweep' }),
  };

  static override flags = {
    out: Flags.string({ summary: 'Output folder (default: beside sweep.json).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Plot);
    for (const f of await replot(args.sweep, flags.out)) this.log(`wrote ${f}`);
  }
}
