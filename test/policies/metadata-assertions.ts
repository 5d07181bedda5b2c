// What every policy of the pack must carry, shared by the per-group metadata tests.
import * as assert from "node:assert/strict";
import { isControlId } from "bulwark-vocabulary";
import { BulwarkPolicy, FRAMEWORK } from "../../policies/lib/policy";

/** Catalog controls, severity, level, description, remediation steps, framework and tags. */
export function assertPolicyMetadata(policy: BulwarkPolicy): void {
    assert.ok(policy.controls.length > 0);
    for (const id of policy.controls) {
        assert.ok(isControlId(id), `${id} is not a catalog control`);
    }
    assert.ok(["low", "medium", "high", "critical"].includes(policy.severity));
    assert.ok(["advisory", "mandatory"].includes(policy.enforcementLevel), `level ${policy.enforcementLevel}`);
    assert.ok(policy.description.length > 20);
    assert.ok(policy.remediationSteps.length > 20);
    assert.deepEqual(policy.framework, FRAMEWORK);
    assert.deepEqual(policy.tags, [...policy.controls]);
}

/** Users tune policies through the schema: every property is typed, described and defaulted. */
export function assertConfigSchemaComplete(policy: BulwarkPolicy): void {
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        assert.ok(schema.type, `${key} has no type`);
        assert.ok(schema.description, `${key} has no description`);
        assert.notEqual(schema.default, undefined, `${key} has no default`);
    }
}
