import * as assert from "node:assert/strict";
import { awsBackupBucketReplication as policy } from "../../../policies/aws/aws-backup-bucket-replication";
import { Analyzer, EngineResource, runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { engineConfig, runStack, StackRun } from "../../../tools/mocks/stack-run";
import { awsBackupBucketHardened } from "../../../policies/aws/aws-backup-bucket-hardened";
import { find, prodAwsStack, replace, withProps, without } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

type Rule = Record<string, any>;
const REPLICATION = "offsite-replication";

/** The program's prod stack (offsiteBackup.replica on in Pulumi.prod.yaml) with the replication rule changed. */
function withRule(resources: readonly EngineResource[], change: (rule: Rule) => Rule): EngineResource[] {
    return replace(resources, REPLICATION, (r) => withProps(r, { rules: (r.outputs ?? r.inputs).rules.map((rule: Rule) => change(structuredClone(rule))) }));
}

describe("aws-backup-bucket-replication (BAK-02, BAK-04, DB-05)", function () {
    this.timeout(300_000);
    let prod: StackRun;
    let analyzer: Analyzer | undefined;
    before(async () => {
        prod = await runStack("prod");
    });
    afterEach(async () => {
        await analyzer?.stop();
        analyzer = undefined;
    });
    const messages = async (resources: readonly EngineResource[], opts = {}) => (await runStackPolicy(policy, resources, opts)).violations.map((v) => v.message);
    /** Judged by a pack that got the stack's config from the engine, as `pulumi preview` starts it. */
    const withStackConfig = async (resources: readonly EngineResource[], run = prod) => {
        await analyzer?.stop();
        analyzer = await Analyzer.start({ stackConfig: engineConfig(run.input) });
        return (await analyzer.evaluate(resources, {}, { resources: false })).violations.filter((v) => v.policy === policy.name);
    };

    it("#1 the program's prod stack, with its replica in another region, passes; with the stack's config too", async () => {
        assert.ok(prod.cfgJson("offsiteBackup").replica, "Pulumi.prod.yaml configures a replica");
        assert.deepEqual(await messages(prod.resources), []);
        assert.deepEqual(await withStackConfig(prod.resources), []);
    });

    it("#2 a rule that skips SSE-KMS objects (every backup is one) is rejected, naming the rule and the fix", async () => {
        for (const criteria of [undefined, { sseKmsEncryptedObjects: { status: "Disabled" } }]) {
            const found = await messages(withRule(prod.resources, (rule) => ({ ...rule, sourceSelectionCriteria: criteria })));
            assert.equal(found.length, 1, JSON.stringify(criteria));
            assert.match(found[0], /^\[BAK-02, DB-05\] Replication 'offsite-replication' of backup bucket '[^']+', rule 'backups-to-replica', skips SSE-KMS objects.*sseKmsEncryptedObjects: \{ status: 'Enabled' \}/);
        }
    });

    it("#3 replicated delete markers (or an unset deleteMarkerReplication) are rejected: one deletion would hide both copies", async () => {
        for (const marker of [{ status: "Enabled" }, undefined]) {
            const found = await messages(withRule(prod.resources, (rule) => ({ ...rule, deleteMarkerReplication: marker })));
            assert.equal(found.length, 1);
            assert.match(found[0], /^\[BAK-04\] .* replicates delete markers: .*deleteMarkerReplication: \{ status: 'Disabled' \}/);
        }
    });

    it("#4 a rule for part of the bucket is rejected; an empty filter or prefix covers all of it", async () => {
        const partial = await messages(withRule(prod.resources, (rule) => ({ ...rule, filter: { prefix: "daily/" } })));
        assert.equal(partial.length, 1);
        assert.match(partial[0], /copies only part of the bucket .*`filter: \{\}`/);
        assert.deepEqual(await messages(withRule(prod.resources, (rule) => ({ ...rule, filter: { prefix: "" } }))), []);
        assert.deepEqual(await messages(withRule(prod.resources, (rule) => ({ ...rule, filter: undefined }))), []);
    });

    it("#5 replicas without a KMS key, or under the primary's own key, are rejected", async () => {
        const noKey = await messages(withRule(prod.resources, (rule) => ({ ...rule, destination: { ...rule.destination, encryptionConfiguration: undefined } })));
        assert.equal(noKey.length, 1);
        assert.match(noKey[0], /^\[DB-05\] .* gives the replicas no KMS key/);
        const primaryKey = find(prod.resources, "offsite-key").outputs?.arn;
        const sameKey = await messages(withRule(prod.resources, (rule) => ({ ...rule, destination: { ...rule.destination, encryptionConfiguration: { replicaKmsKeyId: primaryKey } } })));
        assert.equal(sameKey.length, 1);
        assert.match(sameKey[0], /^\[DB-05, BAK-02\] .* under the primary bucket's own KMS key: disabling or deleting that one key loses both copies/);
    });

    it("#6 the destination must be a backup bucket of the stack, not the source, in another region", async () => {
        const elsewhere = await messages(withRule(prod.resources, (rule) => ({ ...rule, destination: { ...rule.destination, bucket: "arn:aws:s3:::someone-elses-bucket" } })));
        assert.equal(elsewhere.length, 1);
        assert.match(elsewhere[0], /writes to bucket "arn:aws:s3:::someone-elses-bucket", which this stack does not manage/);

        const source = find(prod.resources, "offsite-bucket").outputs?.arn;
        const itself = await messages(withRule(prod.resources, (rule) => ({ ...rule, destination: { ...rule.destination, bucket: source } })));
        assert.equal(itself.length, 1);
        assert.match(itself[0], /replicates the bucket into itself/);

        // Since issue 22 a replication's destination is a backup bucket by use: untagged, it still gets every backup rule.
        const untagged = replace(prod.resources, "offsite-replica-bucket", (b) => withProps(b, { tags: { "bulwark:stack": "prod" }, tagsAll: undefined }));
        assert.deepEqual(await messages(untagged), []);
        const hardened = (await runStackPolicy(awsBackupBucketHardened, without(untagged, "offsite-replica-bucket-versioning"))).violations;
        assert.deepEqual(hardened.map((v) => v.urn), [find(prod.resources, "offsite-replica-bucket").urn]);

        const sameRegion = replace(prod.resources, "offsite-replica-bucket", (b) => withProps(b, { region: "eu-central-1" }));
        const found = await messages(sameRegion);
        assert.equal(found.length, 1);
        assert.match(found[0], /in eu-central-1, the primary's region: an outage or loss of the region takes both copies/);
    });

    it("#7 a replication with no enabled rule is rejected", async () => {
        const found = await messages(withRule(prod.resources, (rule) => ({ ...rule, status: "Disabled" })));
        assert.equal(found.length, 1);
        assert.match(found[0], /^\[BAK-02\] Replication 'offsite-replication' of backup bucket '[^']+' has no enabled rule, so nothing is copied/);
    });

    it("#8 with offsiteBackup.replica in the stack's config, an unreplicated primary is rejected (the replica itself is not); without it, none is demanded", async () => {
        const unreplicated = prod.resources.filter((r) => r.name !== REPLICATION);
        const found = await withStackConfig(unreplicated);
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, find(prod.resources, "offsite-bucket").urn);
        assert.match(found[0].message, /is not replicated, although the stack sets bulwark:offsiteBackup\.replica \(region eu-west-1\)/);
        // A stack without a replica (the fixture's single bucket) demands no replication.
        assert.deepEqual(await messages(prodAwsStack()), []);
    });

    it("#9 preview: unknown ARNs built from the stack's replica bucket and key pass; unknown rules are inconclusive, never passed nor failed", async () => {
        const built = withRule(prod.resources, (rule) => ({ ...rule, destination: { bucket: UNKNOWN, encryptionConfiguration: { replicaKmsKeyId: UNKNOWN } } }));
        const known = await runStackPolicy(policy, built);
        assertOnlyRefusals(known);
        assert.deepEqual(known.inconclusive.filter((i) => i.field === "rules"), []);

        const unknownRules = replace(prod.resources, REPLICATION, (r) => withProps(r, { rules: UNKNOWN }));
        const outcome = await runStackPolicy(policy, unknownRules);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["rules"]);

        // A rule unknown as a whole may be the enabled one; a replica whose tags are unknown may be a backup bucket.
        const unknownRule = await runStackPolicy(policy, replace(prod.resources, REPLICATION, (r) => withProps(r, { rules: [UNKNOWN] })));
        assertOnlyRefusals(unknownRule);
        assert.deepEqual(unknownRule.inconclusive.map((i) => i.field), ["rules"]);
        // Tags no longer decide (issue 22): the replica is a backup bucket by use, unknown tags leave nothing undecided.
        const unknownTags = await runStackPolicy(policy, replace(prod.resources, "offsite-replica-bucket", (b) => withProps(b, { tags: UNKNOWN, tagsAll: UNKNOWN })));
        assert.deepEqual(unknownTags.violations, []);
        assert.deepEqual(unknownTags.inconclusive.map((i) => i.field), []);

        // Unknown, and built from nothing the stack holds: left to apply, not passed.
        const orphan = replace(built, REPLICATION, (r) => ({ ...r, propertyDependencies: { ...r.propertyDependencies, rules: [] } }));
        const undecided = await runStackPolicy(policy, orphan);
        assertOnlyRefusals(undecided);
        assert.ok(undecided.inconclusive.some((i) => i.field === "rules"));
    });
});
