import type { BenchmarkModule } from '../types.js';
import { InputError } from '../../errors.js';

// Placeholder until this benchmark's module lands.
export const magqa: BenchmarkModule = {
  name: 'magqa',
  aliases: [],
  summary: 'Shot2Story-MAGQA multi-answer grounded video QA (test)',
  defaults: {},
  goldFormats: [],
  predictionFormats: [],
  async score() {
    throw new InputError('magqa: scoring is not implemented yet');
  },
};
