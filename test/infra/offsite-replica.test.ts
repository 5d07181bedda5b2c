// offsiteBackup.replica (BAK-02, BAK-04, BAK-05, BAK-06, DB-05): the second off-site copy, as the program
// registers it under the mocks. Pulumi.prod.yaml turns it on; a stack without it keeps exactly the resources
// (URNs and inputs) it had before the option existed, so upgrading never replaces the bucket holding backups.
import * as assert from "node:assert/strict";
import { IAM_ROLE_TYPE, S3_COMPANIONS } from "bulwark-vocabulary";
import { EngineResource } from "../../tools/analyzer/judge";
import { runStack, StackRun, stackFileConfig, unwrap } from "../../tools/mocks/stack-run";


type Doc = { Statement: Record<string, any>[] };

function byName(run: StackRun, name: string): EngineResource {
    const found = run.resources.filter((r) => r.name === name);
    assert.equal(found.length, 1, `one resource named ${name}`);
    return found[0];
}
const policyOf = (r: EngineResource): Doc => JSON.parse(String(r.outputs?.policy));
const statement = (doc: Doc, sid: string) => {
    const found = doc.Statement.find((s) => s.Sid === sid);
    assert.ok(found, `statement ${sid}`);
    return found;
};

describe("offsiteBackup.replica: a second off-site copy in another region", function () {
    this.timeout(300_000);
    let prod: StackRun;
    let single: StackRun;
    before(async () => {
        prod = await runStack("prod");
        const offsite = JSON.parse(stackFileConfig("prod").offsiteBackup!) as Record<string, unknown>;
        delete offsite.replica;
        single = await runStack("prod", { offsiteBackup: JSON.stringify(offsite) });
    });

    it("BAK-02, DB-05: the replica bucket is a tagged backup bucket in the replica's region, SSE-KMS under a key of its own there", () => {
        const region = prod.cfgJson("offsiteBackup").replica.region;
        assert.notEqual(region, prod.cfgJson("offsiteBackup").region);
        const bucket = byName(prod, "offsite-replica-bucket");
        assert.equal(bucket.inputs.region, region);
        assert.equal(unwrap(bucket.inputs.tags)["bulwark:purpose"], "backups");
        const key = byName(prod, "offsite-replica-key");
        assert.equal(key.inputs.region, region);
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.match(String(key.inputs.description), new RegExp(`replica \\(${region}\\)`));
        assert.notEqual(key.outputs?.arn, byName(prod, "offsite-key").outputs?.arn);
        const sse = unwrap(byName(prod, "offsite-replica-bucket-encryption").inputs.rules)[0].applyServerSideEncryptionByDefault;
        assert.deepEqual(sse, { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs?.arn });
        // Every companion of the replica's bucket and log bucket lives in that region too (S3 logs within a region).
        const companions = prod.resources.filter((r) => r.name.startsWith("offsite-replica-") && r.type.startsWith("aws:s3/"));
        assert.ok(companions.length >= 12, `${companions.length} replica S3 resources`);
        companions.forEach((r) => assert.equal(r.inputs.region, region, r.name));
        assert.equal(byName(prod, "offsite-replica-bucket-logging").inputs.targetBucket, byName(prod, "offsite-replica-access-logs").outputs?.bucket);
    });

    it("BAK-02, BAK-04: one enabled whole-bucket rule copies SSE-KMS objects under the replica key, never delete markers; configured after both versionings", () => {
        const replication = prod.one(S3_COMPANIONS.replication[0]);
        assert.equal(replication.inputs.bucket, byName(prod, "offsite-bucket").outputs?.bucket);
        assert.equal(replication.inputs.role, prod.one(IAM_ROLE_TYPE).outputs?.arn);
        const rules = unwrap(replication.inputs.rules);
        assert.equal(rules.length, 1);
        assert.deepEqual(rules[0], {
            id: "backups-to-replica",
            status: "Enabled",
            filter: {},
            deleteMarkerReplication: { status: "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: { bucket: byName(prod, "offsite-replica-bucket").outputs?.arn, encryptionConfiguration: { replicaKmsKeyId: byName(prod, "offsite-replica-key").outputs?.arn } },
        });
        for (const versioning of ["offsite-bucket-versioning", "offsite-replica-bucket-versioning"]) {
            assert.ok(replication.dependencies?.includes(byName(prod, versioning).urn), `depends on ${versioning}`);
        }
    });

    it("BAK-05: the primary admits the replication role besides the uploader and admins; the replica admits the role and the admins, and denies the role every delete", () => {
        const role = prod.one(IAM_ROLE_TYPE).outputs?.arn;
        const uploader = byName(prod, "offsite-uploader").outputs?.arn;
        const admins = prod.cfgJson("offsiteBackup").adminPrincipalArns;
        const allowed = (r: EngineResource) => [statement(policyOf(r), "DenyUnlistedPrincipals").Condition.ArnNotEquals["aws:PrincipalArn"]].flat().sort();
        assert.deepEqual(allowed(byName(prod, "offsite-bucket-policy")), [uploader, role, ...admins].sort());
        const replicaPolicy = byName(prod, "offsite-replica-bucket-policy");
        assert.deepEqual(allowed(replicaPolicy), [role, ...admins].sort());
        assert.ok(statement(policyOf(replicaPolicy), "DenyUnlistedPrincipals").Action.includes("s3:Replicate*"));
        const noDeletes = statement(policyOf(replicaPolicy), "ReplicationCannotDelete");
        assert.equal(noDeletes.Effect, "Deny");
        assert.deepEqual(noDeletes.Principal, { AWS: role });
        for (const action of ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ReplicateDelete", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy"]) {
            assert.ok(noDeletes.Action.includes(action), action);
        }
        statement(policyOf(replicaPolicy), "DenyInsecureTransport");
        statement(policyOf(replicaPolicy), "DenyOverwrites");
    });

    it("BAK-06: S3 alone assumes the replication role, which reads the source, writes replicas, and uses each key only through S3 in its region", () => {
        const role = prod.one(IAM_ROLE_TYPE);
        assert.deepEqual(JSON.parse(String(role.outputs?.assumeRolePolicy)).Statement.map((s: Record<string, unknown>) => s.Principal), [{ Service: "s3.amazonaws.com" }]);
        assert.doesNotMatch(String(role.inputs.name), /backup/, "the backup-identity rule judges the uploader, not this role");
        const doc = policyOf(byName(prod, "offsite-replication-role-policy"));
        const actions = doc.Statement.flatMap((s) => [s.Action].flat()).sort();
        assert.deepEqual(actions, [
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionForReplication",
            "s3:GetObjectVersionTagging",
            "s3:GetReplicationConfiguration",
            "s3:ListBucket",
            "s3:ReplicateObject",
            "s3:ReplicateTags",
        ]);
        const offsite = prod.cfgJson("offsiteBackup");
        assert.deepEqual(statement(doc, "DecryptSource").Condition.StringEquals, { "kms:ViaService": `s3.${offsite.region}.amazonaws.com` });
        assert.equal(statement(doc, "DecryptSource").Resource, byName(prod, "offsite-key").outputs?.arn);
        assert.deepEqual(statement(doc, "EncryptReplicas").Condition.StringEquals, { "kms:ViaService": `s3.${offsite.replica.region}.amazonaws.com` });
        assert.equal(statement(doc, "EncryptReplicas").Resource, byName(prod, "offsite-replica-key").outputs?.arn);
    });

    it("BAK-02: the replica's key and buckets survive `pulumi destroy` (protected, retained), like the primary's", () => {
        for (const name of ["offsite-replica-key", "offsite-replica-bucket", "offsite-replica-access-logs"]) {
            assert.deepEqual(prod.optionsOf(byName(prod, name)), { protect: true, retainOnDelete: true }, name);
        }
    });

    it("without offsiteBackup.replica the stack registers no replica, and turning it on changes no primary resource but the bucket policy's principal list", () => {
        assert.deepEqual(single.resources.filter((r) => r.name.includes("replica") || r.type === S3_COMPANIONS.replication[0] || r.type === IAM_ROLE_TYPE).map((r) => r.name), []);
        // Every AWS resource of the single-copy stack (containers differ only by the test's generated prod secrets).
        const before = new Map(single.resources.filter((r) => /^(aws:|pulumi:providers:aws)/.test(r.type)).map((r) => [r.urn, r]));
        assert.ok(before.size > 20);
        for (const [urn, old] of before) {
            const now = prod.resources.find((r) => r.urn === urn);
            assert.ok(now, `${urn} is kept`);
            if (old.name === "offsite-bucket-policy") {
                continue;
            }
            assert.deepEqual(now.inputs, old.inputs, `${old.name}: inputs unchanged`);
        }
        const withoutRole = (r: EngineResource) => {
            const doc = policyOf(r);
            const deny = statement(doc, "DenyUnlistedPrincipals");
            deny.Condition.ArnNotEquals["aws:PrincipalArn"] = [deny.Condition.ArnNotEquals["aws:PrincipalArn"]].flat().filter((a: string) => a !== prod.one(IAM_ROLE_TYPE).outputs?.arn);
            return doc;
        };
        assert.deepEqual(withoutRole(byName(prod, "offsite-bucket-policy")), policyOf(byName(single, "offsite-bucket-policy")));
    });
});
