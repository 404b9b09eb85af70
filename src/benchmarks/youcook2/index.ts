import type { BenchmarkModule } from '../types.js';
import { InputError } from '../../errors.js';

// Placeholder until this benchmark's module lands.
export const youcook2: BenchmarkModule = {
  name: 'youcook2',
  aliases: [],
  summary: 'YouCook2 dense video captioning (val)',
  defaults: {},
  goldFormats: [],
  predictionFormats: [],
  async score() {
    throw new InputError('youcook2: scoring is not implemented yet');
  },
};
