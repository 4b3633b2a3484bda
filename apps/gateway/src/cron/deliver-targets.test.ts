import { describe, expect, it } from 'vitest';
import { deliverTargetsProblem } from './deliver-targets.js';

describe('deliverTargetsProblem', () => {
  it('accepts local, origin and message targets, alone or comma-separated', () => {
    expect(deliverTargetsProblem('local')).toBeUndefined();
    expect(deliverTargetsProblem('origin, telegram:-100123:7, slack')).toBeUndefined();
  });

  it('names the bad target and what to write instead', () => {
    expect(deliverTargetsProblem('origin,telegram: 12')).toMatch(/deliver "telegram: 12"/);
    expect(deliverTargetsProblem('9gag:1')).toMatch(/not a platform name.*"local" \/ "origin"/);
  });
});
