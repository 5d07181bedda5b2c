// What makes the pack a gate: the level of every policy, written here by hand and read back from the running
// pack as the CLI starts it. A policy quietly turned advisory (or a new one added without a decided level)
// fails this test; changing a level is a decision made in this file, in review.
import * as assert from "node:assert/strict";
import { sharedAnalyzer } from "../../tools/analyzer/judge";

const EXPECTED_LEVELS: Readonly<Record<string, "mandatory" | "advisory">> = {
    "container-no-privileged": "mandatory",
    "container-non-root-user": "mandatory",
    "container-read-only-root": "mandatory",
    "container-capabilities-dropped": "mandatory",
    "container-no-new-privileges": "mandatory",
    "container-resource-limits": "mandatory",
    "container-cgroup-parent": "mandatory",
    "container-distinct-uids": "mandatory",
    "container-no-host-namespaces": "mandatory",
    "container-no-sensitive-host-mounts": "mandatory",
    "container-no-sensitive-volume-binds": "mandatory",
    "container-mount-propagation": "mandatory",
    "container-health-check": "mandatory",
    "container-log-rotation": "mandatory",
    // The document asks for a restart policy as monitoring help, not as a must (LOG-06).
    "container-restart-policy": "advisory",
    "container-image-immutable": "mandatory",
    "container-image-trusted-source": "mandatory",
    "container-image-provenance": "mandatory",
    // CON-08 bounds processes "where the provider allows": the docker provider has no pids limit, only nproc.
    "container-process-limits": "advisory",
    "container-controls-labelled": "advisory",
    "network-only-proxy-publishes-ports": "mandatory",
    "network-published-ports-bound": "mandatory",
    "network-database-internal-only": "mandatory",
    "network-user-defined": "mandatory",
    "network-data-network-internal": "mandatory",
    "secret-env-not-inline": "mandatory",
    "secret-generated-strength": "mandatory",
    "secret-rails-key-length": "mandatory",
    "app-cors-no-wildcard": "mandatory",
    "app-rails-force-ssl": "mandatory",
    "app-jwt-lifetime-bounded": "mandatory",
    "backup-job-per-database": "mandatory",
    "backup-retention-declared": "mandatory",
    "backup-drill-isolated": "advisory",
    "aws-backup-bucket-hardened": "mandatory",
    "aws-backup-bucket-upload-guards": "mandatory",
    "aws-backup-bucket-replication": "mandatory",
    "aws-kms-key-rotation": "mandatory",
    "aws-kms-key-lockout-guard": "mandatory",
    "aws-bucket-policy-restricts-principals": "mandatory",
    "aws-backup-identity-least-privilege": "mandatory",
    "aws-backup-replication-role-least-privilege": "mandatory",
    "aws-s3-bucket-no-public-acl": "mandatory",
    // Key age is a rotation reminder; the runbook rotates, nothing breaks at a given day.
    "aws-access-key-max-age": "advisory",
    // Issue 22: the closed-world gate and the rules it brought, every one a must.
    "gate-resource-type-known": "mandatory",
    "gate-fields-classified": "mandatory",
    "container-volume-no-sensitive-bind": "mandatory",
    "container-image-build-pinned": "mandatory",
    "container-postgres-auth-strong": "mandatory",
    "container-env-well-formed": "mandatory",
    "container-role-placement": "mandatory",
    "container-role-image": "mandatory",
    "secret-env-generated": "mandatory",
    "secret-rails-key-length-inputs": "mandatory",
    "backup-job-settings-inputs": "mandatory",
    "aws-kms-key-policy-restricts-principals": "mandatory",
    "aws-provider-pinned-account": "mandatory",
    "aws-iam-no-attached-policies": "mandatory",
};

describe("enforcement levels: every policy's level is decided here", () => {
    it("#1 the running pack reports exactly these policies at exactly these levels", async () => {
        const analyzer = await sharedAnalyzer();
        const reported = Object.fromEntries(analyzer.policies.map((p) => [p.name, p.enforcementLevel]));
        assert.deepEqual(reported, EXPECTED_LEVELS);
    });
});
