import type { BenchmarkModule } from '../types.js';
import { InputError } from '../../errors.js';

// Placeholder until this benchmark's module lands.
export const qvhighlights: BenchmarkModule = {
  name: 'qvhighlights',
  aliases: ['qvh'],
  summary: 'QVHighlights highlight detection (val)',
  defaults: {},
  goldFormats: [],
  predictionFormats: [],
  async score() {
    throw new InputError('qvhighlights: scoring is not implemented yet');
  },
};
