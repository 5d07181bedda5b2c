// The pack's contract for the network, secret, app, backup and AWS policies: each file exports one policy named
// after it, its folder's index lists it, names are unique, and every policy carries the metadata the
// compliance report and the Pulumi service read (catalog controls only).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { appPolicies } from "../../policies/app";
import { awsPolicies } from "../../policies/aws";
import { backupPolicies } from "../../policies/backups";
import { gatePolicies } from "../../policies/gate";
import { BulwarkPolicy, isStackPolicy } from "../../policies/lib/policy";
import { networkPolicies } from "../../policies/networks";
import { secretPolicies } from "../../policies/secrets";
import { assertConfigSchemaComplete, assertPolicyMetadata } from "./metadata-assertions";

const GROUPS: { folder: string; prefix: string; policies: BulwarkPolicy[] }[] = [
    { folder: "networks", prefix: "network", policies: networkPolicies },
    { folder: "secrets", prefix: "secret", policies: secretPolicies },
    { folder: "app", prefix: "app", policies: appPolicies },
    { folder: "backups", prefix: "backup", policies: backupPolicies },
    { folder: "aws", prefix: "aws", policies: awsPolicies },
    { folder: "gate", prefix: "gate", policies: gatePolicies },
];

const ALL = GROUPS.flatMap((g) => g.policies);

function isPolicy(value: unknown): value is BulwarkPolicy {
    return typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string" && "controls" in value;
}

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

describe("policy groups metadata: networks, secrets, app, backups, aws, gate", () => {
    for (const group of GROUPS) {
        const dir = path.join(__dirname, "../../policies", group.folder);
        // Only top-level files are policies; helpers live in lib/ subfolders.
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "index.ts");

        it(`#1 ${group.folder}: every file exports exactly one policy named after the file, and the index lists it`, async () => {
            const listed = new Set(group.policies);
            for (const file of files) {
                const module = (await import(path.join(dir, file))) as Record<string, unknown>;
                const exported = Object.entries(module).filter(([, v]) => isPolicy(v)) as [string, BulwarkPolicy][];
                const base = path.basename(file, ".ts");
                assert.equal(exported.length, 1, `${file} must export exactly one policy`);
                assert.equal(exported[0][1].name, base, `${file}: policy name must equal the file name`);
                assert.equal(exported[0][0], camel(base), `${file}: export must be named ${camel(base)}`);
                assert.ok(listed.has(exported[0][1]), `${file}: ${base} is missing from the ${group.folder} index`);
            }
            assert.equal(group.policies.length, files.length, `the ${group.folder} index lists a policy without a file`);
        });

        it(`#2 ${group.folder}: names are kebab-case with the '${group.prefix}-' prefix`, () => {
            for (const policy of group.policies) {
                assert.match(policy.name, new RegExp(`^${group.prefix}(-[a-z0-9]+)+$`));
            }
        });
    }

    it("#3 names are unique across the six groups", () => {
        const names = ALL.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        // 24, and issue 22's aws-kms-key-policy-restricts-principals, aws-provider-pinned-account, aws-iam-no-attached-policies; the gate's two; secret-env-generated.
        assert.equal(names.length, 32);
    });

    for (const policy of ALL) {
        describe(`${policy.name} (${policy.controls.join(", ")})`, () => {
            it("#4 has catalog controls, severity, enforcement level, description and remediation steps", () => {
                assertPolicyMetadata(policy);
            });

            it("#5 validates resources or the stack, and every config property has a type, a description and a default", () => {
                assert.ok(isStackPolicy(policy) || typeof policy.validateResource === "function" || Array.isArray(policy.validateResource));
                assertConfigSchemaComplete(policy);
            });
        });
    }
});
