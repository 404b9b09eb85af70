import type { Reporter } from './types.js';

/** The full comparison, unrounded, for tools. `version` changes when the shape does. */
export const jsonReporter: Reporter = {
  format: 'json',
  render: (c) => ({ report: JSON.stringify({ format: 'mmduet-report', version: 1, ...c }, null, 2) + '\n' }),
};
