// Config validation: every invalid value is reported as a ConfigError problem naming `bulwark:<key>`, with a
// message and a fix, before any resource exists. Each case starts from a valid stack (Pulumi.dev.yaml, or
// Pulumi.prod.yaml with generated secrets) and breaks one value, so a problem can only come from that value.
import * as assert from "node:assert/strict";
import {
    APP_DEFAULTS,
    ConfigError,
    ConfigProblem,
    DEFAULT_BASE_IMAGE,
    DEFAULT_RESOURCES,
    LIMITS,
    loadConfig,
    NAMESPACE,
    SERVICES,
} from "../../infra/config";
import { ConfigMap, envOf, generateAgeKeyPair, mapSource, pemBlock, runProgram, runStack, SECRET_CONFIG_KEYS, stackInput } from "../../tools/mocks/stack-run";

type StackKind = "dev" | "prod";

function load(stack: StackKind, overrides: ConfigMap = {}, plainKeys: readonly string[] = []) {
    const input = stackInput(stack, overrides, plainKeys);
    return loadConfig(mapSource(input.stack, input.config, input.secretKeys));
}

function configError(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        return e;
    }
    assert.fail("expected a ConfigError, but the config loaded");
}

function assertWellFormed(error: ConfigError, problem: ConfigProblem): void {
    assert.ok(problem.message.trim().length > 0, `${problem.key}: empty message`);
    assert.ok(problem.fix.trim().length > 0, `${problem.key}: empty fix`);
    assert.ok(error.message.includes(`${NAMESPACE}:${problem.key}: ${problem.message}`), `the error text does not name ${NAMESPACE}:${problem.key}`);
    assert.ok(error.message.includes(problem.fix), `the error text does not carry the fix for ${problem.key}`);
}

/**
 * Loads the stack with `overrides` and asserts it is rejected for `key` (and, unless `others` allows it, for
 * nothing else), with a well-formed problem whose message matches `message` when given.
 */
function assertRejected(
    stack: StackKind,
    overrides: ConfigMap,
    key: string,
    opts: { message?: RegExp; plainKeys?: readonly string[]; others?: readonly string[] } = {},
): ConfigProblem {
    const error = configError(() => load(stack, overrides, opts.plainKeys));
    const problem = error.problems.find((p) => p.key === key);
    assert.ok(problem, `no problem for ${key}; got ${error.problems.map((p) => p.key).join(", ")}`);
    assertWellFormed(error, problem);
    if (opts.message) {
        assert.match(problem.message, opts.message);
    }
    const unexpected = error.problems.filter((p) => p.key !== key && !(opts.others ?? []).includes(p.key));
    assert.deepEqual(unexpected, [], `problems other than ${key}`);
    return problem;
}

const json = (value: unknown) => JSON.stringify(value);

describe("infra config validation (loadConfig)", () => {
    describe("valid configurations", () => {
        it("loads Pulumi.dev.yaml as it is", () => {
            const config = load("dev");
            assert.equal(config.environment, "dev");
            assert.equal(config.tls.mode, "self-signed");
        });

        it("loads Pulumi.prod.yaml once its secrets are set (as secrets)", () => {
            const config = load("prod");
            assert.equal(config.environment, "prod");
            assert.equal(config.tls.mode, "provided");
            assert.ok("recipient" in config.backupAge);
            assert.equal(config.offsiteBackup.enabled, true);
        });

        it("loads the embedded default with no config at all (dev)", () => {
            const config = loadConfig(mapSource("dev", {}));
            assert.equal(config.environment, "dev");
            assert.equal(config.domain, "localhost");
            assert.equal(config.tls.mode, "self-signed");
            assert.deepEqual(config.backupAge, { generate: true });
            assert.equal(config.baseImage, DEFAULT_BASE_IMAGE);
            assert.equal(config.dataSubnet, undefined, "Docker assigns the data network's range");
            assert.deepEqual(config.resources, DEFAULT_RESOURCES);
            assert.equal(config.backendImage, undefined);
            assert.deepEqual(config.backend, APP_DEFAULTS.demo.backend);
            assert.equal(config.offsiteBackup.enabled, false);
        });

        it("takes the environment from the stack name when it is not set", () => {
            const error = configError(() => loadConfig(mapSource("prod-eu", {})));
            // Every prod requirement is reported at once: the stack was treated as prod.
            const keys = new Set(error.problems.map((p) => p.key));
            for (const key of ["domain", "publishAddress", "tlsCertificate", "tlsPrivateKey", "backendImage", "frontendImage", "backupAgeRecipient", "offsiteBackup.enabled", "googleClientSecret"]) {
                assert.ok(keys.has(key), `missing prod requirement ${key}; got ${[...keys].join(", ")}`);
            }
            for (const problem of error.problems) {
                assertWellFormed(error, problem);
            }
        });

        it("accepts an alert webhook URL given as a secret, and a backup volume host path", () => {
            const config = load("dev", { alertWebhookUrl: "https://hooks.example.com/T0/secret-token", backupVolumeHostPath: "/srv/bulwark-backups" });
            assert.ok(config.alertWebhookUrl, "alertWebhookUrl");
            assert.equal(config.backupVolumeHostPath, "/srv/bulwark-backups");
        });

        it("binds the proxy to loopback in dev unless publishAddress says otherwise (IPv4, IPv6 or 0.0.0.0 on purpose)", () => {
            assert.equal(load("dev").publishAddress, "127.0.0.1");
            for (const address of ["0.0.0.0", "192.0.2.10", "2001:db8::1"]) assert.equal(load("dev", { publishAddress: address }).publishAddress, address);
            assert.equal(load("prod").publishAddress, "203.0.113.10");
        });

        it("accepts a version-tagged application image in dev", () => {
            assert.equal(load("dev", { backendImage: "ghcr.io/example/app:1.2.3" }).backendImage, "ghcr.io/example/app:1.2.3");
        });

        it("accepts http://localhost CORS origins in dev only", () => {
            assert.deepEqual(load("dev", { corsOrigins: json(["http://localhost:3000"]) }).corsOrigins, ["http://localhost:3000"]);
            assertRejected("prod", { corsOrigins: json(["http://localhost:3000"]) }, "corsOrigins");
        });
    });

    describe("rejected values", () => {
        it("environment: a value other than dev or prod", () => {
            assertRejected("dev", { environment: "staging" }, "environment", { message: /staging/ });
        });

        it("domain: not a lower-case host name", () => {
            assertRejected("dev", { domain: "https://App.example.com/" }, "domain");
        });

        it("domain: missing in prod", () => {
            assertRejected("prod", { domain: undefined, corsOrigins: json(["https://app.example.com"]) }, "domain", { message: /required in prod/ });
        });

        for (const value of ["0", "70000", "abc"]) {
            it(`httpsPort: ${JSON.stringify(value)}`, () => {
                assertRejected("dev", { httpsPort: value }, "httpsPort", { message: new RegExp(JSON.stringify(value)) });
            });
        }

        it("httpPort: equal to httpsPort", () => {
            assertRejected("dev", { httpsPort: "8443", httpPort: "8443" }, "httpPort", { message: /differ/ });
        });

        it("frontend.user: the backend's uid (nproc would count both), with another group or not", () => {
            for (const frontend of ["10201:10201", "10201:10301"]) {
                assertRejected("dev", { frontend: json({ user: frontend }) }, "frontend.user", { message: /uid 10201, like backend\.user: the nproc limit counts .*CON-08/ });
            }
            assert.equal(load("dev", { frontend: json({ user: "10202:10201" }) }).frontend.user, "10202:10201");
        });

        it("publishAddress: missing in prod, where binding every interface must be a choice", () => {
            assertRejected("prod", { publishAddress: undefined }, "publishAddress", { message: /required in prod: the host address the proxy's ports bind to/ });
        });

        for (const value of ["localhost", "203.0.113.300", "0.0.0.0/0"]) {
            it(`publishAddress: ${JSON.stringify(value)} (not an IP address)`, () => {
                assertRejected("dev", { publishAddress: value }, "publishAddress", { message: new RegExp(JSON.stringify(value).replace(/[./]/g, "\\$&")) });
            });
        }

        it("tlsMode: an unknown mode", () => {
            assertRejected("dev", { tlsMode: "letsencrypt" }, "tlsMode");
        });

        it("tlsMode: self-signed in prod", () => {
            assertRejected("prod", { tlsMode: "self-signed" }, "tlsMode", { message: /NET-04/ });
        });

        it("tlsCertificate: missing when tlsMode is provided", () => {
            assertRejected("prod", { tlsCertificate: undefined }, "tlsCertificate");
        });

        it("tlsCertificate: not a PEM certificate", () => {
            assertRejected("prod", { tlsCertificate: "MIIDdzCCAl+gAwIBAgIE" }, "tlsCertificate");
        });

        it("tlsPrivateKey: missing when tlsMode is provided", () => {
            assertRejected("prod", { tlsPrivateKey: undefined }, "tlsPrivateKey");
        });

        it("tlsPrivateKey: not a PEM private key (a certificate instead)", () => {
            assertRejected("prod", { tlsPrivateKey: pemBlock("CERTIFICATE") }, "tlsPrivateKey");
        });

        for (const key of SECRET_CONFIG_KEYS) {
            it(`${key}: set in plain text instead of as a secret`, () => {
                const problem = assertRejected("prod", {}, key, { plainKeys: [key], message: /plain text.*SEC-01/ });
                assert.match(problem.fix, /--secret/);
            });
        }

        it("baseImage: a tag instead of a digest", () => {
            assertRejected("dev", { baseImage: "debian:bookworm-slim" }, "baseImage", { message: /CON-02/ });
        });

        it("baseImage: a truncated digest", () => {
            assertRejected("dev", { baseImage: "debian:bookworm-slim@sha256:3783cc01769c" }, "baseImage");
        });

        it("backendImage: missing in prod", () => {
            assertRejected("prod", { backendImage: undefined }, "backendImage", { message: /required in prod/ });
        });

        it("frontendImage: missing in prod", () => {
            assertRejected("prod", { frontendImage: undefined }, "frontendImage", { message: /required in prod/ });
        });

        it("backendImage: a version tag in prod (not pinned by digest)", () => {
            assertRejected("prod", { backendImage: "ghcr.io/example/bulwark-backend:1.2.3" }, "backendImage", { message: /LOG-07/ });
        });

        it("backendImage: :latest in dev", () => {
            assertRejected("dev", { backendImage: "ghcr.io/example/app:latest" }, "backendImage", { message: /mutable tag/ });
        });

        it("backendImage: no tag at all in dev", () => {
            assertRejected("dev", { backendImage: "ghcr.io/example/app" }, "backendImage", { message: /mutable tag/ });
        });

        it("backendImage: not an image reference", () => {
            assertRejected("dev", { backendImage: "my app:1.0" }, "backendImage");
        });

        for (const service of SERVICES) {
            it(`resources.${service}.memoryMb: below ${LIMITS.memoryMb.min}`, () => {
                assertRejected("dev", { resources: json({ [service]: { memoryMb: LIMITS.memoryMb.min - 1 } }) }, `resources.${service}.memoryMb`);
            });
        }

        it("resources.<service>.memoryMb: above the maximum", () => {
            assertRejected("dev", { resources: json({ database: { memoryMb: LIMITS.memoryMb.max + 1 } }) }, "resources.database.memoryMb");
        });

        it("resources.<service>.memoryMb: not an integer", () => {
            assertRejected("dev", { resources: json({ backend: { memoryMb: 512.5 } }) }, "resources.backend.memoryMb", { message: /integer/ });
        });

        it("resources.<service>.memoryMb: a string", () => {
            assertRejected("dev", { resources: json({ backend: { memoryMb: "512" } }) }, "resources.backend.memoryMb");
        });

        it("resources.<service>.cpus: 0", () => {
            assertRejected("dev", { resources: json({ proxy: { cpus: 0 } }) }, "resources.proxy.cpus");
        });

        it("resources: a key that names no service", () => {
            assertRejected("dev", { resources: json({ redis: { memoryMb: 256 } }) }, "resources.redis", { message: /names no service/ });
        });

        it("corsOrigins: the wildcard", () => {
            assertRejected("dev", { corsOrigins: json(["*"]) }, "corsOrigins", { message: /wildcard.*APP-01/ });
        });

        it("corsOrigins: a wildcard inside an origin", () => {
            assertRejected("prod", { corsOrigins: json(["https://*.example.com"]) }, "corsOrigins", { message: /wildcard/ });
        });

        it("corsOrigins: an http origin in prod", () => {
            assertRejected("prod", { corsOrigins: json(["http://app.example.com"]) }, "corsOrigins", { message: /not an https origin/ });
        });

        it("corsOrigins: an origin with a path", () => {
            assertRejected("dev", { corsOrigins: json(["https://localhost:8443/app"]) }, "corsOrigins");
        });

        it("corsOrigins: an empty list", () => {
            assertRejected("dev", { corsOrigins: json([]) }, "corsOrigins", { message: /non-empty list/ });
        });

        it("corsOrigins: not a list", () => {
            assertRejected("dev", { corsOrigins: json("https://localhost:8443") }, "corsOrigins", { message: /non-empty list/ });
        });

        it(`jwtAccessTtlSeconds: below ${LIMITS.jwtAccessTtlSeconds.min}`, () => {
            assertRejected("dev", { jwtAccessTtlSeconds: `${LIMITS.jwtAccessTtlSeconds.min - 1}` }, "jwtAccessTtlSeconds");
        });

        it(`jwtAccessTtlSeconds: above ${LIMITS.jwtAccessTtlSeconds.max}`, () => {
            assertRejected("dev", { jwtAccessTtlSeconds: `${LIMITS.jwtAccessTtlSeconds.max + 1}` }, "jwtAccessTtlSeconds");
        });

        it(`jwtRefreshTtlSeconds: above ${LIMITS.jwtRefreshTtlSeconds.max}`, () => {
            assertRejected("dev", { jwtRefreshTtlSeconds: `${LIMITS.jwtRefreshTtlSeconds.max + 1}` }, "jwtRefreshTtlSeconds");
        });

        it("jwtRefreshTtlSeconds: not longer than the access token's lifetime", () => {
            const ttl = `${LIMITS.jwtAccessTtlSeconds.max}`;
            assertRejected("dev", { jwtAccessTtlSeconds: ttl, jwtRefreshTtlSeconds: ttl }, "jwtRefreshTtlSeconds", { message: /longer than jwtAccessTtlSeconds/ });
        });

        for (const schedule of ["daily", "61 3 * * *", "15 3 * *", "15 3 * * 8", "*/0 3 * * *"]) {
            it(`backupSchedule: ${JSON.stringify(schedule)} is not cron`, () => {
                assertRejected("dev", { backupSchedule: schedule }, "backupSchedule", { message: /cron/ });
            });
        }

        it("restoreDrillSchedule: not cron", () => {
            assertRejected("dev", { restoreDrillSchedule: "45 4 * * sunday" }, "restoreDrillSchedule", { message: /cron/ });
        });

        it("backupRetention.daily: 0", () => {
            assertRejected("dev", { backupRetention: json({ daily: 0 }) }, "backupRetention.daily");
        });

        it("backupRetention.monthly: above the maximum", () => {
            assertRejected("dev", { backupRetention: json({ monthly: LIMITS.retention.monthly.max + 1 }) }, "backupRetention.monthly");
        });

        it("backupAgeRecipient: not an age public key", () => {
            const pair = generateAgeKeyPair();
            assertRejected("prod", { backupAgeRecipient: pair.recipient.slice(0, -1) + (pair.recipient.endsWith("q") ? "p" : "q") }, "backupAgeRecipient", {
                message: /age X25519 public key/,
            });
        });

        it("backupAgeRecipient: an ssh key instead of an age key", () => {
            assertRejected("dev", { backupAgeRecipient: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB", backupAgeIdentity: generateAgeKeyPair().identity }, "backupAgeRecipient");
        });

        it("backupAgeRecipient: does not match backupAgeIdentity", () => {
            assertRejected("prod", { backupAgeRecipient: generateAgeKeyPair().recipient }, "backupAgeRecipient", { message: /does not match/ });
        });

        it("backupAgeIdentity: missing while a recipient is set", () => {
            assertRejected("dev", { backupAgeRecipient: generateAgeKeyPair().recipient }, "backupAgeIdentity", { message: /BAK-03/ });
        });

        it("backupAgeIdentity: an age-keygen file, comment lines and all, reaches the drill as its identity line alone", async () => {
            // README: `pulumi config set --secret backupAgeIdentity < backup.key`; the drill takes exactly one line.
            const pair = generateAgeKeyPair();
            const keyFile = `# created: 2026-11-28T05:00:00Z\n# public key: ${pair.recipient}\n${pair.identity}\n`;
            const run = await runStack("prod", { backupAgeRecipient: pair.recipient, backupAgeIdentity: keyFile });
            assert.equal(envOf(run.container("restore-drill")).BACKUP_AGE_IDENTITY, pair.identity);
        });

        it("backupAgeIdentity: not an age secret key", () => {
            assertRejected("prod", { backupAgeIdentity: "AGE-SECRET-KEY-1NOTAKEY" }, "backupAgeIdentity");
        });

        it("backupAgeRecipient: missing in prod", () => {
            assertRejected("prod", { backupAgeRecipient: undefined, backupAgeIdentity: undefined }, "backupAgeRecipient", { message: /required in prod.*BAK-01/ });
        });

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

        it(`authRateLimit.requestsPerMinute: below ${LIMITS.requestsPerMinute.min}`, () => {
            assertRejected("dev", { authRateLimit: json({ requestsPerMinute: LIMITS.requestsPerMinute.min - 1 }) }, "authRateLimit.requestsPerMinute");
        });

        it(`authRateLimit.requestsPerMinute: above ${LIMITS.requestsPerMinute.max}`, () => {
            assertRejected("dev", { authRateLimit: json({ requestsPerMinute: LIMITS.requestsPerMinute.max + 1 }) }, "authRateLimit.requestsPerMinute");
        });

        it(`authRateLimit.burst: above ${LIMITS.burst.max}`, () => {
            assertRejected("dev", { authRateLimit: json({ burst: LIMITS.burst.max + 1 }) }, "authRateLimit.burst");
        });

        it(`requestBodyLimitMb: below ${LIMITS.requestBodyLimitMb.min}`, () => {
            assertRejected("dev", { requestBodyLimitMb: `${LIMITS.requestBodyLimitMb.min - 1}` }, "requestBodyLimitMb");
        });

        it(`requestBodyLimitMb: above ${LIMITS.requestBodyLimitMb.max}`, () => {
            assertRejected("dev", { requestBodyLimitMb: `${LIMITS.requestBodyLimitMb.max + 1}` }, "requestBodyLimitMb");
        });

        it("googleClientSecret: missing in prod", () => {
            assertRejected("prod", { googleClientSecret: undefined }, "googleClientSecret", { message: /required in prod/ });
        });

        it(`logRotation.maxSizeMb: below ${LIMITS.logMaxSizeMb.min}`, () => {
            assertRejected("dev", { logRotation: json({ maxSizeMb: LIMITS.logMaxSizeMb.min - 1 }) }, "logRotation.maxSizeMb");
        });

        it(`logRotation.maxFiles: above ${LIMITS.logMaxFiles.max}`, () => {
            assertRejected("dev", { logRotation: json({ maxFiles: LIMITS.logMaxFiles.max + 1 }) }, "logRotation.maxFiles");
        });

        it("alertWebhookUrl: not https", () => {
            assertRejected("dev", { alertWebhookUrl: "http://hooks.example.com/bulwark" }, "alertWebhookUrl", { message: /https/ });
        });

        // The URL carries the webhook's token (issue 13).
        it("alertWebhookUrl: set in plain text instead of as a secret", () => {
            const problem = assertRejected("dev", { alertWebhookUrl: "https://hooks.example.com/T0/secret-token" }, "alertWebhookUrl", { plainKeys: ["alertWebhookUrl"], message: /plain text.*SEC-01/ });
            assert.match(problem.fix, /pulumi config set --secret alertWebhookUrl/);
        });

        for (const hostPath of ["srv/backups", "/srv/../etc/backups", "/srv//backups", "/srv/bulwark backups", "/etc/bulwark-backups", "/var/lib/docker/volumes/backups", "/var"]) {
            it(`backupVolumeHostPath: ${JSON.stringify(hostPath)}`, () => {
                const problem = assertRejected("dev", { backupVolumeHostPath: hostPath }, "backupVolumeHostPath");
                assert.match(problem.fix, /pulumi config set backupVolumeHostPath \/srv\/bulwark-backups/);
            });
        }

        for (const user of ["0:0", "0:1000", "1000:0", "root", "1000"]) {
            it(`backend.user: ${JSON.stringify(user)}`, () => {
                assertRejected("dev", { backend: json({ user }) }, "backend.user", { message: /CON-05/ });
            });
        }

        // Zero-padded ids are root too: the check compares numbers, not text.
        it("backend.user: a zero-padded root id (\"00:00\", \"0000:1000\")", () => {
            for (const user of ["00:00", "0000:1000"]) {
                assertRejected("dev", { backend: json({ user }) }, "backend.user", { message: /CON-05/ });
            }
        });

        it("frontend.user: root in prod", () => {
            assertRejected("prod", { frontend: json({ user: "0:0" }) }, "frontend.user");
        });

        it("backend.healthCommand: an empty list", () => {
            assertRejected("dev", { backend: json({ healthCommand: [] }) }, "backend.healthCommand", { message: /LOG-05/ });
        });

        it("backend.healthCommand: a shell string instead of a list", () => {
            assertRejected("dev", { backend: json({ healthCommand: "curl -f http://127.0.0.1:3000/up" }) }, "backend.healthCommand");
        });

        it("backend.writablePaths: a relative path", () => {
            assertRejected("dev", { backend: json({ writablePaths: ["tmp"] }) }, "backend.writablePaths", { message: /CON-06/ });
        });

        it("backend.writablePaths: a path that climbs out with ..", () => {
            assertRejected("dev", { backend: json({ writablePaths: ["/tmp/../etc"] }) }, "backend.writablePaths");
        });

        for (const subnet of ["8.8.8.0/24", "172.32.0.0/24", "172.29.10.0", "172.29.10.0/8", "10.0.0.300/24"]) {
            it(`dataSubnet: ${JSON.stringify(subnet)}`, () => {
                assertRejected("dev", { dataSubnet: subnet }, "dataSubnet", { message: /private IPv4 CIDR/ });
            });
        }

        it("resources: invalid structured config (not JSON)", () => {
            assertRejected("dev", { resources: "{backend: {memoryMb: 512}" }, "resources", { message: /not valid structured config/ });
        });

        it("backupRetention: invalid structured config (not JSON)", () => {
            assertRejected("dev", { backupRetention: "daily=7" }, "backupRetention", { message: /not valid structured config/ });
        });

        // `bulwark:backend: null` in a stack file arrives as "null": reported, not a TypeError.
        it("backend, resources, offsiteBackup: null instead of an object", () => {
            for (const key of ["backend", "resources", "offsiteBackup"]) {
                assertRejected("dev", { [key]: "null" }, key);
            }
        });
    });

    describe("reporting", () => {
        it("reports every invalid value in one error", () => {
            const error = configError(() =>
                load("dev", {
                    environment: "qa",
                    httpsPort: "70000",
                    baseImage: "debian:latest",
                    corsOrigins: json(["*"]),
                    backupSchedule: "never",
                    alertWebhookUrl: "ftp://example.com",
                }),
            );
            const keys = error.problems.map((p) => p.key).sort();
            assert.deepEqual(keys, ["alertWebhookUrl", "backupSchedule", "baseImage", "corsOrigins", "environment", "httpsPort"]);
            assert.match(error.message, /^bulwark: 6 configuration problems; nothing was deployed\./);
            for (const problem of error.problems) {
                assertWellFormed(error, problem);
            }
        });

        it("the program entry (infra/index.ts) throws the ConfigError before registering any resource", async () => {
            const input = stackInput("prod", { corsOrigins: json(["*"]), httpsPort: "0" });
            const run = await runProgram(input);
            assert.ok(run.error instanceof ConfigError, `expected a ConfigError, got ${String(run.error)}`);
            assert.deepEqual(run.error.problems.map((p) => p.key).sort(), ["corsOrigins", "httpsPort"]);
            assert.equal(run.resources.length, 0, `registered: ${run.resources.map((r) => r.name).join(", ")}`);
        });

        it("the program entry reads secrets through Pulumi's secret config (plain text is refused)", async () => {
            const run = await runProgram(stackInput("prod", {}, ["googleClientSecret"]));
            assert.ok(run.error instanceof ConfigError, `expected a ConfigError, got ${String(run.error)}`);
            assert.deepEqual(
                run.error.problems.map((p) => p.key),
                ["googleClientSecret"],
            );
            assert.equal(run.resources.length, 0);
        });
    });
});
