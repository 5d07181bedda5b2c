import * as assert from "node:assert/strict";
import { IAM_ACCESS_KEY_TYPE } from "bulwark-vocabulary";
import { accessKeyAgeDays, awsAccessKeyMaxAge as policy } from "../../../policies/aws/aws-access-key-max-age";
import { EngineResource, runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { runStack } from "../../../tools/mocks/stack-run";
import { BACKUP_USER, prodAwsStack, prodStack, resource, unrelated } from "../fixtures/stack";

const DAY_MS = 24 * 60 * 60 * 1000;

/** RFC 3339, second precision, as the provider stores create_date; `days` before now (the pack's clock). */
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The uploader's access key as the engine holds it after `pulumi up`: createDate is an output. */
function accessKey(name: string, outputs: Record<string, unknown>): EngineResource {
    const inputs = { user: BACKUP_USER, status: "Active" };
    return resource(IAM_ACCESS_KEY_TYPE, name, inputs, { ...inputs, id: "AKIAEXAMPLEEXAMPLE01", secret: "not-a-real-secret", ...outputs }, "prod");
}

const withKeys = (...keys: EngineResource[]) => [...prodStack(), ...keys];

describe("aws-access-key-max-age (BAK-06)", () => {
    it("#1 a fresh key passes (and so does one exactly maxAgeDays old)", async () => {
        for (const age of [0, 1, 90]) {
            const outcome = await runStackPolicy(policy, withKeys(accessKey("offsite-uploader-key", { createDate: daysAgo(age) })));
            assert.deepEqual(outcome.violations, [], `${age} days`);
            assert.deepEqual(outcome.inconclusive, []);
        }
    });

    it("#2 a 91-day-old key is reported on its URN, with its age and the rotation", async () => {
        const old = accessKey("offsite-uploader-key", { createDate: daysAgo(91) });
        const fresh = accessKey("offsite-uploader-key-2", { createDate: daysAgo(0) });
        const { violations } = await runStackPolicy(policy, withKeys(old, fresh));
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, old.urn);
        assert.equal(violations[0].level, "advisory");
        assert.match(violations[0].message, /^\[BAK-06\] Access key 'offsite-uploader-key' is 91 days old \(created \d{4}-\d{2}-\d{2}T/);
        assert.match(violations[0].message, /within 90 days/);
        assert.match(violations[0].message, /`offsiteBackup\.accessKeys`.*docs\/runbooks\.md/);
    });

    it("#3 config maxAgeDays: 30 reports a 31-day-old key, 365 accepts a 200-day-old one", async () => {
        const month = withKeys(accessKey("offsite-uploader-key", { createDate: daysAgo(31) }));
        assert.deepEqual((await runStackPolicy(policy, month)).violations, []);
        const strict = await runStackPolicy(policy, month, { config: { "aws-access-key-max-age": { maxAgeDays: 30 } } });
        assert.equal(strict.violations.length, 1);
        assert.match(strict.violations[0].message, /is 31 days old .*within 30 days/);

        const old = withKeys(accessKey("offsite-uploader-key", { createDate: daysAgo(200) }));
        assert.equal((await runStackPolicy(policy, old)).violations.length, 1);
        assert.deepEqual((await runStackPolicy(policy, old, { config: { "aws-access-key-max-age": { maxAgeDays: 365 } } })).violations, []);
    });

    it("#4 a key being created (createDate unknown or absent) is 0 days old: accepted, its unknown cannot matter", async () => {
        const unknown = accessKey("offsite-uploader-key-2", { createDate: UNKNOWN });
        const absent = accessKey("offsite-uploader-key-3", {});
        const outcome = await runStackPolicy(policy, withKeys(unknown, absent), { preview: true });
        assert.deepEqual([outcome.violations, outcome.inconclusive], [[], []]);
        // ...while a known old key next to it is still reported.
        const mixed = await runStackPolicy(policy, withKeys(accessKey("offsite-uploader-key", { createDate: daysAgo(120) }), unknown), { preview: true });
        assert.equal(mixed.violations.length, 1);
        assert.match(mixed.violations[0].message, /is 120 days old/);
    });

    it("#5 other types are not applicable; an inactive key signs nothing and is not judged", async () => {
        assert.ok((await runStackPolicy(policy, prodAwsStack())).notApplicable);
        assert.ok((await runStackPolicy(policy, [unrelated()])).notApplicable);
        const inactive = accessKey("offsite-uploader-key", { createDate: daysAgo(400), status: "Inactive" });
        assert.deepEqual((await runStackPolicy(policy, withKeys({ ...inactive, inputs: { ...inactive.inputs, status: "Inactive" } }))).violations, []);
    });

    it("#6 a createDate that is no RFC 3339 time is reported, not taken as fresh", async () => {
        const { violations } = await runStackPolicy(policy, withKeys(accessKey("offsite-uploader-key", { createDate: "yesterday" })));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /no RFC 3339 time \("yesterday"\)/);
    });

    it("#7 the program's prod stack, its keys just created (tools/mocks), passes; one generation or two", async () => {
        for (const accessKeys of [undefined, ["1", "2"]]) {
            const offsite = { enabled: true, region: "eu-central-1", adminPrincipalArns: ["arn:aws:iam::123456789012:role/backup-admin"], accessKeys };
            const run = await runStack("prod", { offsiteBackup: JSON.stringify(offsite) });
            const outcome = await runStackPolicy(policy, run.resources);
            assert.deepEqual(outcome.violations, [], JSON.stringify(accessKeys));
            assert.deepEqual(outcome.inconclusive, []);
        }
    });

    it("#8 the age is whole days from createDate, never negative", () => {
        const now = Date.parse("2026-11-28T10:00:00Z");
        assert.equal(accessKeyAgeDays("2026-08-29T10:00:00Z", now), 91);
        assert.equal(accessKeyAgeDays("2026-08-29T10:00:01Z", now), 90);
        assert.equal(accessKeyAgeDays("2026-08-29T12:00:00+02:00", now), 91);
        assert.equal(accessKeyAgeDays("2026-12-01T00:00:00Z", now), 0);
        assert.equal(accessKeyAgeDays("29/08/2026", now), undefined);
    });
});
