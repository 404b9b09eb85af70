import type { BenchmarkModule } from '../types.js';
import { InputError } from '../../errors.js';

// Placeholder until this benchmark's module lands.
export const charades: BenchmarkModule = {
  name: 'charades-sta',
  aliases: ['charades'],
  summary: 'Charades-STA temporal grounding (test)',
  defaults: {},
  goldFormats: [],
  predictionFormats: [],
  async score() {
    throw new InputError('charades-sta: scoring is not implemented yet');
  },
};
