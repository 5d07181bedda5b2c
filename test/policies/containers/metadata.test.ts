// The pack's contract for every container policy: named after its file, exported once, and carrying the
// metadata the compliance report and the Pulumi service read.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { containerPolicies } from "../../../policies/containers";
import { BulwarkPolicy } from "../../../policies/lib/policy";
import { assertConfigSchemaComplete, assertPolicyMetadata } from "../metadata-assertions";

const DIR = path.join(__dirname, "../../../policies/containers");
const POLICY_FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts");

function isPolicy(value: unknown): value is BulwarkPolicy {
    return typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string" && "controls" in value;
}

describe("container policies metadata (CON-01, CON-02, CON-05, CON-06, CON-07, CON-08, CON-09, NET-02, LOG-04, LOG-05, LOG-06, LOG-07, CMP-01, CMP-07)", () => {
    it("#1 every file exports exactly one policy named after the file, and the index lists it", async () => {
        const listed = new Set(containerPolicies);
        for (const file of POLICY_FILES) {
            const exported = Object.values(await import(path.join(DIR, file))).filter(isPolicy);
            assert.equal(exported.length, 1, `${file} must export exactly one policy`);
            assert.equal(exported[0].name, path.basename(file, ".ts"), `${file}: policy name must equal the file name`);
            assert.ok(listed.has(exported[0]), `${file}: ${exported[0].name} is missing from containerPolicies`);
        }
        assert.equal(containerPolicies.length, POLICY_FILES.length, "containerPolicies lists a policy without a file");
    });

    it("#2 policy names are unique and kebab-case", () => {
        const names = containerPolicies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        for (const name of names) {
            assert.match(name, /^container(-[a-z0-9]+)+$/);
        }
    });

    for (const policy of containerPolicies) {
        describe(`${policy.name} (${policy.controls.join(", ")})`, () => {
            it("#3 has catalog controls, severity, enforcement level, description and remediation steps", () => {
                assertPolicyMetadata(policy);
            });

            it("#4 every config property has a type, a description and a default", () => {
                assertConfigSchemaComplete(policy);
            });
        });
    }

    it("#5 the expected policies, controls and levels", () => {
        const summary = Object.fromEntries(
            containerPolicies.map((p) => [p.name, `${p.controls.join(",")} ${p.severity} ${p.enforcementLevel}`]),
        );
        assert.deepEqual(summary, {
            "container-no-privileged": "CON-07 critical mandatory",
            "container-non-root-user": "CON-05 high mandatory",
            "container-read-only-root": "CON-06 high mandatory",
            "container-capabilities-dropped": "CON-07 high mandatory",
            "container-no-new-privileges": "CON-07 high mandatory",
            "container-resource-limits": "CON-08 medium mandatory",
            "container-cgroup-parent": "CON-08 medium mandatory",
            "container-env-well-formed": "SEC-01,NET-05,APP-01 high mandatory",
            "container-distinct-uids": "CON-08 medium mandatory",
            "container-no-host-namespaces": "CON-09,NET-02 critical mandatory",
            "container-no-sensitive-host-mounts": "CON-09 critical mandatory",
            "container-no-sensitive-volume-binds": "CON-09 critical mandatory",
            "container-mount-propagation": "CON-09 high mandatory",
            "container-health-check": "LOG-05 medium mandatory",
            "container-log-rotation": "LOG-04,CMP-01 medium mandatory",
            "container-restart-policy": "LOG-06 low advisory",
            "container-volume-no-sensitive-bind": "CON-09 critical mandatory",
            "container-image-immutable": "LOG-07,CON-02 high mandatory",
            "container-image-trusted-source": "CON-01 high mandatory",
            "container-image-provenance": "CON-01,CON-02,LOG-07 high mandatory",
            "container-process-limits": "CON-08 low advisory",
            "container-controls-labelled": "CMP-07 low advisory",
            "container-postgres-auth-strong": "DB-01,DB-02 critical mandatory",
            "container-image-build-pinned": "CON-01,CON-02 high mandatory",
            "container-role-placement": "NET-01,NET-03,DB-02,BAK-01 critical mandatory",
            "container-role-image": "NET-01,NET-03,DB-02,BAK-01,CON-01 critical mandatory",
        });
    });
});
