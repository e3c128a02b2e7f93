import assert from 'node:assert/strict';
import type { Certificate } from '../../src/certify/certificate.js';
import type { Verdict, VerdictRule, VerdictStrength } from '../../src/certify/verdict.js';

/** Asserts a certificate's verdict, rule and strength exactly (the explanation is the failure message). */
export function expectDecision(
  c: Certificate,
  verdict: Verdict,
  rule: VerdictRule,
  strength: VerdictStrength,
): void {
  assert.deepEqual(
    { verdict: c.verdict, rule: c.decision.rule, strength: c.decision.strength },
    { verdict, rule, strength },
    c.decision.explanation,
  );
  assert.equal(c.decision.verdict, c.verdict);
}
