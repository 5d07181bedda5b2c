import * as assert from "node:assert/strict";
import { awsBackupReplicationRoleLeastPrivilege as policy } from "../../../policies/aws/aws-backup-replication-role-least-privilege";
import { Analyzer, EngineResource } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { engineConfig, runStack, StackRun } from "../../../tools/mocks/stack-run";
import { find, replace, resource, withProps } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

type Statement = Record<string, any>;
const ROLE = "offsite-replication-role";
const ROLE_POLICY = "offsite-replication-role-policy";

/** The program's prod stack with the role's permission statements changed. */
function withPermissions(resources: readonly EngineResource[], change: (statements: Statement[]) => Statement[]): EngineResource[] {
    return replace(resources, ROLE_POLICY, (r) => {
        const doc = JSON.parse((r.outputs ?? r.inputs).policy);
        return withProps(r, { policy: JSON.stringify({ ...doc, Statement: change(doc.Statement) }) });
    });
}
const patchSid = (sid: string, patch: Statement) => (statements: Statement[]) => statements.map((s) => (s.Sid === sid ? { ...s, ...patch } : s));

describe("aws-backup-replication-role-least-privilege (BAK-06)", function () {
    this.timeout(300_000);
    let prod: StackRun;
    // The pack learns the stack's account from the stack config the engine hands it, so it runs with prod's.
    let analyzer: Analyzer;
    before(async () => {
        prod = await runStack("prod");
        analyzer = await Analyzer.start({ stackConfig: engineConfig(prod.input) });
    });
    after(async () => analyzer?.stop());
    const outcome = async (resources: readonly EngineResource[]) => {
        const result = await analyzer.evaluate(resources, {}, { resources: false });
        return { violations: result.violations.filter((v) => v.policy === policy.name), inconclusive: result.inconclusive.filter((i) => i.policy === policy.name) };
    };
    const messages = async (resources: readonly EngineResource[]) => (await outcome(resources)).violations.map((v) => v.message);

    it("#1 the program's replication role (S3 alone assumes it; replication actions only, KMS through S3) passes", async () => {
        assert.ok(find(prod.resources, ROLE));
        assert.deepEqual(await messages(prod.resources), []);
    });

    it("#2 a trust policy that lets anyone but S3 assume the role is rejected", async () => {
        const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com", AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }] };
        const found = await messages(replace(prod.resources, ROLE, (r) => withProps(r, { assumeRolePolicy: JSON.stringify(trust) })));
        assert.equal(found.length, 1);
        assert.match(found[0], /^\[BAK-06\] Replication role 'bulwark-prod-offsite-replication' of a backup bucket: its trust policy's statement #1 lets .*arn:aws:iam::123456789012:root.* assume it, not S3 alone/);
    });

    // Issue 22 item 8: without aws:SourceAccount, S3 would assume the role for another account's bucket.
    it("#2b a trust policy without aws:SourceAccount, or naming another account, is rejected", async () => {
        const trustWith = (condition?: object) =>
            JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S3Replication", Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }] });
        const cases: [object | undefined, RegExp][] = [
            [undefined, /has no StringEquals aws:SourceAccount condition/],
            [{ StringLike: { "aws:SourceAccount": "123456789012" } }, /has no StringEquals aws:SourceAccount condition/],
            [{ StringEquals: { "aws:SourceAccount": "999999999999" } }, /names aws:SourceAccount \["999999999999"\], not the stack's account 123456789012/],
            [{ StringEquals: { "aws:SourceAccount": ["123456789012", "999999999999"] } }, /not the stack's account 123456789012 alone/],
        ];
        for (const [condition, expected] of cases) {
            const found = await messages(replace(prod.resources, ROLE, (r) => withProps(r, { assumeRolePolicy: trustWith(condition) })));
            assert.equal(found.length, 1, JSON.stringify(condition));
            assert.match(found[0], expected);
        }
        // The program's own trust policy carries it, with the account of offsiteBackup.adminPrincipalArns.
        const role = find(prod.resources, ROLE);
        const programTrust = JSON.parse((role.checkedInputs ?? role.inputs).assumeRolePolicy);
        assert.deepEqual(programTrust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
    });

    it("#3 deletes, s3:ReplicateDelete and wildcards are beyond what replication needs: rejected, naming each", async () => {
        for (const extra of ["s3:DeleteObjectVersion", "s3:ReplicateDelete", "s3:*"]) {
            const found = await messages(withPermissions(prod.resources, patchSid("WriteReplicas", { Action: ["s3:ReplicateObject", extra] })));
            assert.equal(found.length, 1, extra);
            assert.match(found[0], new RegExp(`RolePolicy '${ROLE_POLICY}', statement 'WriteReplicas', allows '${extra.replace("*", "\\*")}', beyond what replication needs`));
        }
    });

    it("#4 Resource '*', NotAction, and KMS actions without kms:ViaService are rejected", async () => {
        const star = await messages(withPermissions(prod.resources, patchSid("ReadSourceVersions", { Resource: "*" })));
        assert.match(star.join("\n"), /statement 'ReadSourceVersions', applies to Resource '\*'/);
        const notAction = await messages(withPermissions(prod.resources, (sts) => [...sts, { Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "arn:aws:s3:::x/*" }]));
        assert.match(notAction.join("\n"), /statement #6, uses NotAction or NotResource/);
        const anywhere = await messages(withPermissions(prod.resources, patchSid("DecryptSource", { Condition: undefined })));
        assert.equal(anywhere.length, 1);
        assert.match(anywhere[0], /statement 'DecryptSource', allows 'kms:Decrypt' without a kms:ViaService condition, so the key works outside S3 too/);
    });

    it("#5 managed policies (managedPolicyArns or a RolePolicyAttachment) are rejected: the stack cannot judge them", async () => {
        const arns = await messages(replace(prod.resources, ROLE, (r) => withProps(r, { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] })));
        assert.equal(arns.length, 1);
        assert.match(arns[0], /has managed policies attached \('arn:aws:iam::aws:policy\/AmazonS3FullAccess'\)/);
        const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "replication-admin", { role: "bulwark-prod-offsite-replication", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, undefined, "prod");
        const attached = await messages([...prod.resources, attachment]);
        assert.equal(attached.length, 1);
        assert.match(attached[0], /managed policies attached \('replication-admin'\)/);
    });

    it("#6 a replication assuming a role the stack does not manage is rejected", async () => {
        const found = await messages(replace(prod.resources, "offsite-replication", (r) => ({ ...withProps(r, { role: "arn:aws:iam::123456789012:role/anything" }), propertyDependencies: { ...r.propertyDependencies, role: [] } })));
        assert.equal(found.length, 1);
        assert.match(found[0], /^\[BAK-06\] Replication 'offsite-replication' assumes role "arn:aws:iam::123456789012:role\/anything", which this stack does not manage/);
    });

    it("#7 preview: a document unknown as a whole built from the stack's ARNs is the recorded gap, one depending on nothing is refused; an unknown role ARN built from the stack's role is judged", async () => {
        const unknownDoc = await outcome(replace(prod.resources, ROLE_POLICY, (r) => withProps(r, { policy: UNKNOWN })));
        assert.deepEqual([unknownDoc.violations, unknownDoc.inconclusive], [[], []]);
        const orphan = await outcome(replace(prod.resources, ROLE_POLICY, (r) => ({ ...withProps(r, { policy: UNKNOWN }), propertyDependencies: {} })));
        assertOnlyRefusals(orphan);
        assert.deepEqual(orphan.inconclusive.map((i) => i.field), ["policy"]);
        const builtRole = replace(prod.resources, "offsite-replication", (r) => withProps(r, { role: UNKNOWN }));
        const judged = await outcome(withPermissions(builtRole, patchSid("WriteReplicas", { Action: ["s3:ReplicateObject", "s3:ReplicateDelete"] })));
        assert.equal(judged.violations.length, 1);
        assert.match(judged.violations[0].message, /'s3:ReplicateDelete'/);
    });
});
