/**
 * `need_response` (protocol.md §6), strict comparisons, float64 arithmetic. The one implementation of the
 * policies: the duet loop, the shared scoring pass and the s/t sweep's trigger replay all call it.
 */
import type { ResponsePolicy } from './types.js';

export class PolicyState {
  private sum = 0;
  constructor(readonly policy: ResponsePolicy) {}

  /** Feeds one frame's scores; true when the model responds after this frame. */
  decide(informative: number, relevance: number): boolean {
    switch (this.policy.kind) {
      case 'never':
        return false;
      case 'per-frame':
        return informative + relevance > this.policy.t;
      case 'sum':
        this.sum += informative;
        if (this.sum > this.policy.s) {
          this.sum = 0;
          return true;
        }
        return false;
    }
  }
}

/** Frame indices at which `policy` responds, over a whole score sequence (no kept responses). */
export function policyTriggers(frames: ReadonlyArray<{ informative: number; relevance: number }>, policy: ResponsePolicy): number[] {
  const state = new PolicyState(policy);
  const out: number[] = [];
  frames.forEach((f, k) => {
    if (state.decide(f.informative, f.relevance)) out.push(k);
  });
  return out;
}

/** The swept parameter's value, or null for `never`. */
export function policyParameter(p: ResponsePolicy): number | null {
  return p.kind === 'sum' ? p.s : p.kind === 'per-frame' ? p.t : null;
}
