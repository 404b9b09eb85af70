import type { BenchmarkModule } from '../types.js';
import { InputError } from '../../errors.js';

// Placeholder until this benchmark's module lands.
export const captions: BenchmarkModule = {
  name: 'captions',
  aliases: ['coco'],
  summary: 'Plain caption metrics on COCO-style files',
  defaults: {},
  goldFormats: [],
  predictionFormats: [],
  async score() {
    throw new InputError('captions: scoring is not implemented yet');
  },
};
