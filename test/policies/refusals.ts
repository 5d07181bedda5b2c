// Fail closed at preview: a check that meets an unknown value refuses it with a violation at its policy's level
// ("unknown in preview: <field> of <urn> — <fix>"), listed again by the judge as a "refused" undecided check.
import * as assert from "node:assert/strict";
import { parseUnknownViolation } from "../../policies/lib/inconclusive";
import type { PolicyOutcome } from "../../tools/analyzer/judge";

/** Every violation is a refusal of an unknown value, one per refused check, each saying how to make it known. */
export function assertOnlyRefusals(outcome: PolicyOutcome): void {
    const refusals = outcome.violations.map((v) => ({ v, parsed: parseUnknownViolation(v.message) }));
    assert.deepEqual(refusals.filter((r) => !r.parsed).map((r) => r.v.message), [], "violations other than refusals of unknown values");
    assert.deepEqual(
        refusals.map((r) => `${r.parsed!.urn} ${r.parsed!.field}`).sort(),
        outcome.inconclusive.map((i) => `${i.urn} ${i.field}`).sort(),
        "each refusal is listed as a refused check",
    );
    for (const r of refusals) {
        assert.ok(r.parsed!.fix && r.parsed!.fix.length > 20, `no fix in ${r.v.message}`);
    }
    assert.ok(outcome.inconclusive.every((i) => i.kind === "refused"), JSON.stringify(outcome.inconclusive));
}
