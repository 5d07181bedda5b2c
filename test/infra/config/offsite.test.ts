// The off-site copy (offsiteBackup): region, bucket, admins, the KMS key, access key generations and the replica.
import * as assert from "node:assert/strict";
import { LIMITS } from "../../../infra/config";
import { assertRejected, json, load } from "./helpers";

describe("infra config validation (loadConfig): offsiteBackup", () => {
    describe("rejected values", () => {
        it("offsiteBackup.region: not an AWS region", () => {
            assertRejected("prod", { offsiteBackup: json({ enabled: true, region: "Frankfurt", adminPrincipalArns: ["arn:aws:iam::123456789012:role/a"] }) }, "offsiteBackup.region");
        });

        it("offsiteBackup.bucketName: not a valid S3 bucket name", () => {
            assertRejected(
                "prod",
                { offsiteBackup: json({ enabled: true, region: "eu-central-1", bucketName: "My_Backups", adminPrincipalArns: ["arn:aws:iam::123456789012:role/a"] }) },
                "offsiteBackup.bucketName",
            );
        });

        it("offsiteBackup.adminPrincipalArns: not IAM ARNs", () => {
            assertRejected("prod", { offsiteBackup: json({ enabled: true, region: "eu-central-1", adminPrincipalArns: ["backup-admin"] }) }, "offsiteBackup.adminPrincipalArns", {
                message: /BAK-05/,
            });
        });

        // Issue 22: the stack's account is the one its admins are in (the provider is pinned to it, the pack
        // accepts no other principals), so admins in two accounts leave no account to pin.
        it("offsiteBackup.adminPrincipalArns: principals in two accounts", () => {
            const admins = ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::999999999999:role/b"];
            assertRejected("prod", { offsiteBackup: json({ enabled: true, region: "eu-central-1", adminPrincipalArns: admins }) }, "offsiteBackup.adminPrincipalArns", {
                message: /2 accounts \(123456789012, 999999999999\).*pinned to the stack's account/,
            });
        });

        it("offsiteBackup.adminPrincipalArns: empty while off-site backups are enabled", () => {
            assertRejected("prod", { offsiteBackup: json({ enabled: true, region: "eu-central-1", adminPrincipalArns: [] }) }, "offsiteBackup.adminPrincipalArns", {
                message: /empty/,
            });
        });

        it("offsiteBackup.enabled: false in prod", () => {
            assertRejected("prod", { offsiteBackup: json({ enabled: false }) }, "offsiteBackup.enabled", { message: /BAK-02/ });
        });

        it("offsiteBackup.enabled: not a boolean", () => {
            assertRejected("dev", { offsiteBackup: json({ enabled: "yes" }) }, "offsiteBackup.enabled");
        });

        it("offsiteBackup.kmsKeyDeletionWindowDays: below the AWS minimum", () => {
            assertRejected(
                "prod",
                { offsiteBackup: json({ enabled: true, kmsKeyDeletionWindowDays: LIMITS.kmsKeyDeletionWindowDays.min - 1, adminPrincipalArns: ["arn:aws:iam::123456789012:role/a"] }) },
                "offsiteBackup.kmsKeyDeletionWindowDays",
            );
        });

        describe("offsiteBackup.accessKeys", () => {
            const offsite = (accessKeys: unknown) =>
                json({ enabled: true, region: "eu-central-1", adminPrincipalArns: ["arn:aws:iam::123456789012:role/a"], accessKeys });

            it("offsiteBackup.accessKeys: defaults to the one generation \"1\"; one or two names are taken as given, numbers as their names", () => {
                assert.deepEqual(load("prod").offsiteBackup.accessKeys, ["1"]);
                assert.deepEqual(load("prod", { offsiteBackup: offsite(["1", "2"]) }).offsiteBackup.accessKeys, ["1", "2"]);
                assert.deepEqual(load("prod", { offsiteBackup: offsite(["2"]) }).offsiteBackup.accessKeys, ["2"]);
                assert.deepEqual(load("prod", { offsiteBackup: offsite([1, 2]) }).offsiteBackup.accessKeys, ["1", "2"]);
                assert.deepEqual(load("prod", { offsiteBackup: offsite(["2026-11", "2027-02"]) }).offsiteBackup.accessKeys, ["2026-11", "2027-02"]);
            });

            it("offsiteBackup.accessKeys: three generations (IAM allows two access keys per user)", () => {
                const problem = assertRejected("prod", { offsiteBackup: offsite(["1", "2", "3"]) }, "offsiteBackup.accessKeys", { message: /3 generations.*at most 2 access keys per user/ });
                assert.match(problem.fix, /pulumi config rm --path 'offsiteBackup\.accessKeys\[2\]'/);
                assert.match(problem.fix, /pulumi config rm --path 'offsiteBackup\.accessKeys\[0\]'.*pulumi up/);
                assert.match(problem.fix, /docs\/runbooks\.md/);
            });

            it("offsiteBackup.accessKeys: a generation listed twice", () => {
                const problem = assertRejected("prod", { offsiteBackup: offsite(["2", "2"]) }, "offsiteBackup.accessKeys", { message: /"2" twice/ });
                assert.match(problem.fix, /pulumi config rm --path 'offsiteBackup\.accessKeys\[1\]'/);
                assertRejected("prod", { offsiteBackup: offsite(["1", 1]) }, "offsiteBackup.accessKeys", { message: /"1" twice/ });
            });

            it("offsiteBackup.accessKeys: empty, not a list, or names that are empty or unusable in a resource name", () => {
                for (const bad of [[], "1", [""], ["  "], [null], ["a/b"], ["-1"], [1.5], [-1], [{ name: "1" }], ["x".repeat(33)]]) {
                    const problem = assertRejected("prod", { offsiteBackup: offsite(bad) }, "offsiteBackup.accessKeys", { message: /must be a list of one or two access key generation names/ });
                    assert.match(problem.fix, /pulumi config (rm|set) --path/, JSON.stringify(bad));
                }
            });
        });

        describe("offsiteBackup.replica", () => {
            const offsite = (extra: Record<string, unknown>) =>
                json({ enabled: true, region: "eu-central-1", bucketName: "bulwark-prod-backups", adminPrincipalArns: ["arn:aws:iam::123456789012:role/a"], ...extra });

            it("offsiteBackup.replica: absent, no replica; a region (and a bucket name) are taken as given", () => {
                assert.equal(load("prod", { offsiteBackup: offsite({}) }).offsiteBackup.replica, undefined);
                assert.equal("replica" in load("prod", { offsiteBackup: offsite({}) }).offsiteBackup, false);
                assert.deepEqual(load("prod", { offsiteBackup: offsite({ replica: { region: "eu-west-1" } }) }).offsiteBackup.replica, { region: "eu-west-1" });
                assert.deepEqual(load("prod", { offsiteBackup: offsite({ replica: { region: "us-east-2", bucketName: "bulwark-prod-replica" } }) }).offsiteBackup.replica, {
                    region: "us-east-2",
                    bucketName: "bulwark-prod-replica",
                });
            });

            it("offsiteBackup.replica.region: missing, not a region, or the primary's own region", () => {
                for (const replica of [{}, { region: "" }, { region: "Europe" }, { region: 3 }]) {
                    const problem = assertRejected("prod", { offsiteBackup: offsite({ replica }) }, "offsiteBackup.replica.region", { message: /is not an AWS region/ });
                    assert.match(problem.fix, /pulumi config set --path offsiteBackup\.replica\.region/, JSON.stringify(replica));
                }
                assertRejected("prod", { offsiteBackup: offsite({ replica: { region: "eu-central-1" } }) }, "offsiteBackup.replica.region", {
                    message: /is eu-central-1, the primary bucket's region too: a copy in the same region shares its outages/,
                });
            });

            it("offsiteBackup.replica: not an object, or set while the off-site copy is off", () => {
                for (const replica of ["eu-west-1", ["eu-west-1"], true]) {
                    assertRejected("prod", { offsiteBackup: offsite({ replica }) }, "offsiteBackup.replica", { message: /must be an object with a region/ });
                }
                const problem = assertRejected("dev", { offsiteBackup: json({ enabled: false, replica: { region: "eu-west-1" } }) }, "offsiteBackup.replica", {
                    message: /is set while offsiteBackup\.enabled is false/,
                });
                assert.match(problem.fix, /pulumi config rm --path offsiteBackup\.replica/);
            });

            it("offsiteBackup.replica.bucketName: invalid, or the primary's own name", () => {
                assertRejected("prod", { offsiteBackup: offsite({ replica: { region: "eu-west-1", bucketName: "Not_A_Bucket" } }) }, "offsiteBackup.replica.bucketName", { message: /is not a valid S3 bucket name/ });
                assertRejected("prod", { offsiteBackup: offsite({ replica: { region: "eu-west-1", bucketName: "bulwark-prod-backups" } }) }, "offsiteBackup.replica.bucketName", { message: /is the primary bucket's name too/ });
            });
        });
    });
});
