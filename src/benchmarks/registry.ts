import { InputError } from '../errors.js';
import type { BenchmarkModule } from './types.js';
import { youcook2 } from './youcook2/index.js';
import { qvhighlights } from './qvhighlights/index.js';
import { charades } from './charades/index.js';
import { magqa } from './magqa/index.js';
import { captions } from './captions/index.js';

export const BENCHMARKS: readonly BenchmarkModule[] = [youcook2, qvhighlights, charades, magqa, captions];

export const BENCHMARK_NAMES: string[] = BENCHMARKS.flatMap((b) => [b.name, ...b.aliases]);

export function getBenchmark(name: string): BenchmarkModule {
  const key = name.toLowerCase();
  const found = BENCHMARKS.find((b) => b.name === key || b.aliases.includes(key));
  if (!found) throw new InputError(`unknown benchmark "${name}": expected one of ${BENCHMARK_NAMES.join(', ')}`);
  return found;
}
