import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { mergeRuns } from '../run/merge.js';

export default class Merge extends BaseCommand {
  static override summary = 'Combine the run directories of sharded runs (--shard i/n) into one run directory.';
  static override description =
    'Refuses shards made with different parameters, data or model, duplicated or missing shards, and shards that are not finished. ' +
    'The merged predictions are in annotation-file order, the same as an unsharded run.';
  static override examples = ['<%= config.bin %> merge runs/ch-1 runs/ch-2 runs/ch-3 --out runs/charades'];
  static override strict = false;

  static override args = {
    runs: Args.string({ required: true, description: 'Run directories of the shards.' }),
  };

  static override flags = {
    out: Flags.string({ summary: 'Folder for the merged run.', required: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Merge);
    const s = mergeRuns(argv as string[], flags.out);
    this.log(`merged ${s.shards} shards into ${s.outDir}: ${s.predictions} predictions, ${s.errors} failed items`);
  }
}
