// `policy:check` end to end, each run in its own process as a user or CI runs it: the project's own stacks pass,
// every deliberately broken program under test/fixtures/broken/ is rejected by the policy that guards the broken
// control on the resource that breaks it, and whatever cannot be evaluated exits 2 with a message saying why.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ageIdentityFromSecretBytes, ageRecipientFromIdentity } from "../../infra/age";
import { CheckRun, FIXTURES, inParallel, runCheck, shown } from "./run-check";

interface JsonViolation {
    policy: string;
    level: string;
    urn: string | null;
    message: string;
    controls: string[];
}
interface JsonInconclusive {
    policy: string;
    level: string;
    urn: string | null;
    field: string;
    kind: string;
}
interface JsonReport {
    resources: number;
    mode: "update" | "preview";
    violations: JsonViolation[];
    inconclusive: JsonInconclusive[];
}

/** Every program under test/fixtures/broken/: each is run once, and each must be asserted below. */
const BROKEN_FIXTURES = fs.readdirSync(path.join(FIXTURES, "broken")).sort();

const broken = (name: string) => path.join(FIXTURES, "broken", name);
const compliant = path.join(FIXTURES, "compliant");
const policyConfig = (name: string) => path.join(FIXTURES, "policy-config", `${name}.json`);

/**
 * What the compliant baseline (test/fixtures/lib/compliant-stack.ts) registers: the edge and data networks, the
 * three generated secrets, the Images component with the four images it builds (one per service), and for each
 * of the four services its role's component, the HardenedContainer component in it and the container; and what
 * the engine adds: the root Stack and the default docker and random providers.
 */
const COMPLIANT_RESOURCES = 2 + 3 + (1 + 4) + 4 * 3 + (1 + 2);

/** Prod's secrets, made fresh for the run as an operator would (age-keygen, a certificate, the Google secret). */
function writeProdSecrets(dir: string): string {
    const identity = ageIdentityFromSecretBytes(randomBytes(32));
    const pem = (label: string) => `-----BEGIN ${label}-----\n${randomBytes(96).toString("base64")}\n-----END ${label}-----\n`;
    const file = path.join(dir, "prod-secrets.yaml");
    const content = {
        config: { "bulwark:backupAgeRecipient": ageRecipientFromIdentity(identity) },
        secrets: {
            "bulwark:backupAgeIdentity": identity,
            "bulwark:tlsCertificate": pem("CERTIFICATE"),
            "bulwark:tlsPrivateKey": pem("PRIVATE KEY"),
            "bulwark:googleClientSecret": randomBytes(24).toString("base64url"),
        },
    };
    fs.writeFileSync(file, yaml.dump(content), { mode: 0o600 });
    return file;
}

function parseReport(run: CheckRun): JsonReport {
    try {
        return JSON.parse(run.stdout) as JsonReport;
    } catch {
        assert.fail(`stdout is not one JSON object:\n${shown(run)}`);
    }
}

function mandatory(report: JsonReport): JsonViolation[] {
    return report.violations.filter((v) => v.level === "mandatory");
}

describe("policy:check", function () {
    // Every run is a fresh process that runs the program and starts the pack as the CLI does; one per CPU at a time.
    this.timeout(900_000);
    let tmp: string;
    let runs: Record<string, CheckRun>;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
        const prodSecrets = writeProdSecrets(tmp);
        // One run alone first, so the parallel runs find the pack already transpiled in the cache.
        const dev = await runCheck(["--json"]);
        const jobs: Record<string, readonly string[]> = {
            "dev:preview": ["--preview", "--json"],
            prod: ["--stack", "prod", "--config-file", prodSecrets, "--json"],
            "prod:preview": ["--stack", "prod", "--config-file", prodSecrets, "--preview", "--json"],
            previewTable: ["--program", broken("privileged-computed"), "--preview"],
            configError: ["--config", "bulwark:httpsPort=99999", "--config", "corsOrigins=[\"*\"]", "--config", "googleClientSecret=in-plain-text"],
            compliant: ["--program", compliant, "--json"],
            otherPorts: ["--config", "httpsPort=18443", "--config", "httpPort=18080", "--config", 'corsOrigins=["https://localhost:18443"]', "--json"],
            table: ["--program", broken("latest-image")],
            encryptedMissing: ["--program", compliant, "--stack", "encrypted"],
            encryptedSupplied: ["--program", compliant, "--stack", "encrypted", "--secret", "apiToken=s3cr3t-for-the-test", "--json"],
            advisory: ["--program", broken("latest-image"), "--policy-config", policyConfig("container-image-advisory"), "--json"],
            unknownPolicy: ["--program", compliant, "--policy-config", policyConfig("unknown-policy"), "--json"],
            ...Object.fromEntries(BROKEN_FIXTURES.map((name) => [name, ["--program", broken(name), "--json"]])),
            ...Object.fromEntries(BROKEN_FIXTURES.map((name) => [`${name}:preview`, ["--program", broken(name), "--preview", "--json"]])),
        };
        runs = { dev, ...(await inParallel(jobs)) };
    });

    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    describe("the project's own program", () => {
        it("passes the dev stack with no mandatory violation (exit 0)", () => {
            const run = runs.dev;
            assert.equal(run.code, 0, shown(run));
            const report = parseReport(run);
            assert.ok(report.resources > 10, `only ${report.resources} resources recorded`);
            assert.deepEqual(mandatory(report), []);
        });

        for (const stack of ["dev", "prod"]) {
            it(`judges the ${stack} stack as a preview of a new stack: no mandatory violation and no policy that could not run`, () => {
                const run = runs[`${stack}:preview`];
                assert.equal(run.code, 0, shown(run));
                const report = parseReport(run);
                assert.equal(report.mode, "preview");
                assert.deepEqual(mandatory(report), []);
                assert.deepEqual(report.inconclusive.filter((i) => i.kind === "cant-run"), []);
                // Fail closed: the stack's own values are all known, or their unknowns documented as unable to matter.
                assert.deepEqual(report.inconclusive.filter((i) => i.level === "mandatory"), []);
                assert.deepEqual(parseReport(runs[stack]).inconclusive, [], "an update knows every value");
            });
        }

        it("follows the stack's own ports: dev moved to 18443/18080 in config passes without a policy exception (exit 0)", () => {
            const run = runs.otherPorts;
            assert.equal(run.code, 0, shown(run));
            assert.deepEqual(mandatory(parseReport(run)), []);
        });

        it("passes the prod stack with generated secrets from a --config-file (exit 0)", () => {
            const run = runs.prod;
            assert.equal(run.code, 0, shown(run));
            const report = parseReport(run);
            assert.deepEqual(mandatory(report), []);
            assert.ok(report.resources > parseReport(runs.dev).resources, "prod should add the off-site backup resources");
        });

        it("prints the program's ConfigError in full, with how to pass secrets here, and exits 2", () => {
            const run = runs.configError;
            assert.equal(run.code, 2, shown(run));
            assert.match(run.stderr, /bulwark: 3 configuration problems; nothing was deployed\./);
            assert.match(run.stderr, /bulwark:httpsPort: must be an integer from 1 to 65535, got "99999"\. Fix: /);
            assert.match(run.stderr, /bulwark:corsOrigins: contains the wildcard "\*".*Fix: /);
            assert.match(run.stderr, /bulwark:googleClientSecret: is stored in plain text .*Fix: .*`pulumi config set --secret googleClientSecret/);
            // ...and how to give a secret to policy:check instead.
            assert.match(run.stderr, /\npolicy:check: give secret config here with --secret <key>=<value> or under `secrets:` in a --config-file\.\n$/);
            assert.equal(run.stdout, "");
        });
    });

    describe("--json output", () => {
        it("is exactly one object {resources, mode, violations[{policy, level, urn, message, controls}], inconclusive[...]}", () => {
            for (const name of ["dev", "dev:preview", "latest-image", "unencrypted-backup-bucket"]) {
                const report = parseReport(runs[name]);
                assert.deepEqual(Object.keys(report), ["resources", "mode", "violations", "inconclusive"], name);
                assert.equal(report.mode, name.endsWith(":preview") ? "preview" : "update");
                for (const i of report.inconclusive) {
                    assert.deepEqual(Object.keys(i), ["policy", "level", "urn", "field", "kind"], name);
                    assert.ok(["refused", "cant-run"].includes(i.kind), i.kind);
                }
                assert.equal(typeof report.resources, "number");
                for (const v of report.violations) {
                    assert.deepEqual(Object.keys(v), ["policy", "level", "urn", "message", "controls"], name);
                    assert.ok(["mandatory", "advisory"].includes(v.level), v.level);
                    assert.ok(v.urn === null || v.urn.startsWith("urn:pulumi:"), String(v.urn));
                    assert.ok(v.controls.length > 0 && v.controls.every((c) => /^[A-Z]{2,3}-\d\d$/.test(c)), v.controls.join());
                }
            }
        });

        it("exits 1 with the report still on stdout when a mandatory violation is found", () => {
            const run = runs["latest-image"];
            assert.equal(run.code, 1, shown(run));
            assert.ok(mandatory(parseReport(run)).length > 0);
        });
    });

    describe("the readable report", () => {
        it("tables policy, level, resource (type::name), message and controls, then a summary line", () => {
            const run = runs.table;
            assert.equal(run.code, 1, shown(run));
            const [header] = run.stdout.split("\n");
            assert.match(header, /^POLICY\s+LEVEL\s+RESOURCE\s+MESSAGE\s+CONTROLS$/);
            assert.match(run.stdout, /container-image-immutable\s+mandatory\s+docker:index\/container:Container::backend\s+\S/);
            assert.match(run.stdout, /LOG-07, CON-02/);
            // The baseline less the demo backend's build, as the backend runs the configured app image: the tag is
            // the only thing wrong, so the table holds that one row.
            const resources = COMPLIANT_RESOURCES - 1;
            assert.equal(parseReport(runs["latest-image"]).resources, resources);
            assert.match(run.stdout, new RegExp(`\\npolicy:check \\(update\\): ${resources} resources, 1 mandatory, 0 advisory violations\\n$`));
        });

        it("in a preview, refuses a value unknown until apply and lists it again after the violations", () => {
            const run = runs.previewTable;
            assert.equal(run.code, 1, shown(run));
            assert.match(run.stdout, /container-no-privileged\s+mandatory\s+docker:index\/container:Container::backend\s+unknown in preview: privileged of/);
            assert.match(run.stdout, /\nUndecided, values unknown until apply \(each refused above at its policy's level\):\nPOLICY\s+LEVEL\s+RESOURCE\s+FIELD\s+KIND\n/);
            assert.match(run.stdout, /container-no-privileged\s+mandatory\s+docker:index\/container:Container::backend\s+privileged\s+refused/);
            // The baseline and the RandomId the flag is computed from; the one refusal is both the violation and the undecided check.
            const summary = `policy:check \\(preview\\): ${COMPLIANT_RESOURCES + 1} resources, 1 mandatory, 0 advisory violations; 1 checks undecided: values unknown until apply \\(0 policies could not run\\)`;
            assert.match(run.stdout, new RegExp(`\\n${summary}\\n$`));
        });

        it("prints only the summary for a compliant program (exit 0)", () => {
            const run = runs.compliant;
            assert.equal(run.code, 0, shown(run));
            assert.deepEqual(parseReport(run), { resources: COMPLIANT_RESOURCES, mode: "update", violations: [], inconclusive: [] });
        });
    });

    describe("config and policy config", () => {
        it("stops with exit 2 naming a secure: value that nothing supplied, and how to pass it", () => {
            const run = runs.encryptedMissing;
            assert.equal(run.code, 2, shown(run));
            assert.match(run.stderr, /fixture-compliant:apiToken is encrypted \(secure:\) in Pulumi\.encrypted\.yaml/);
            assert.match(run.stderr, /--secret fixture-compliant:apiToken=<value>.*--config-file/);
        });

        it("runs once --secret supplies the encrypted value", () => {
            assert.equal(runs.encryptedSupplied.code, 0, shown(runs.encryptedSupplied));
        });

        it("applies --policy-config levels: a mandatory policy set to advisory no longer fails the check", () => {
            const run = runs.advisory;
            assert.equal(run.code, 0, shown(run));
            const report = parseReport(run);
            const levels = report.violations.filter((v) => v.policy === "container-image-immutable").map((v) => v.level);
            assert.deepEqual(levels, ["advisory"]);
            assert.deepEqual(mandatory(report), [], "the :latest tag was the fixture's only violation");
        });

        it("rejects a --policy-config naming no policy of the pack (exit 2)", () => {
            const run = runs.unknownPolicy;
            assert.equal(run.code, 2, shown(run));
            assert.match(JSON.parse(run.stdout).error, /^policy config names no policy of the pack: container-image-imutable \(the pack has /);
        });
    });

    describe("deliberately broken programs (test/fixtures/broken/)", () => {
        const asserted = new Set<string>();

        /**
         * In an update and in a preview of a new stack alike: exit 1; each policy rejects the offending resource; no
         * mandatory violation blames anything but it (and the resources `implicated` by the break); no mandatory
         * policy was skipped as unable to run.
         */
        function expectRejected(fixture: string, resource: string, policies: readonly string[], implicated: readonly string[] = []): void {
            asserted.add(fixture);
            for (const run of [runs[fixture], runs[`${fixture}:preview`]]) {
                assert.equal(run.code, 1, shown(run));
                const report = parseReport(run);
                const found = mandatory(report);
                for (const policy of policies) {
                    assert.ok(
                        found.some((v) => v.policy === policy && v.urn?.endsWith(`::${resource}`)),
                        `${report.mode}: ${policy} did not reject '${resource}':\n${shown(run)}`,
                    );
                }
                // The rest of the program is the compliant baseline: only the broken resource may be blamed.
                const blamed = [resource, ...implicated];
                assert.deepEqual(found.filter((v) => !blamed.some((r) => v.urn?.endsWith(`::${r}`))), [], `${report.mode}: violations on resources that were not broken`);
                assert.deepEqual(report.inconclusive.filter((i) => i.kind === "cant-run" && i.level === "mandatory"), [], `${report.mode}: a mandatory policy could not run`);
            }
        }

        it("NET-02 database-port-published: the database publishing 5432 is rejected by network-database-internal-only and network-only-proxy-publishes-ports", () =>
            expectRejected("database-port-published", "database", ["network-database-internal-only", "network-only-proxy-publishes-ports"]));

        it("CON-05 container-root-user: a backend running as 0:0 is rejected by container-non-root-user", () =>
            expectRejected("container-root-user", "backend", ["container-non-root-user"]));

        it("CON-07 privileged-container: a privileged backend is rejected by container-no-privileged", () =>
            expectRejected("privileged-container", "backend", ["container-no-privileged"]));

        it("CON-07 privileged-computed: a privileged flag computed from another resource's output is refused by container-no-privileged, unknown in the preview", () =>
            expectRejected("privileged-computed", "backend", ["container-no-privileged"]));

        it("CON-06 writable-root-fs: a backend with a writable root filesystem is rejected by container-read-only-root", () =>
            expectRejected("writable-root-fs", "backend", ["container-read-only-root"]));

        it("CON-09 docker-socket-mounted: the Docker socket in the backup job is rejected by container-no-sensitive-host-mounts", () =>
            expectRejected("docker-socket-mounted", "backup", ["container-no-sensitive-host-mounts"]));

        it("CON-09 volume-binds-etc: a local volume binding /etc, and the backup job mounting it, are rejected by container-no-sensitive-volume-binds", () =>
            expectRejected("volume-binds-etc", "backup", ["container-no-sensitive-volume-binds"], ["etc-volume"]));

        it("CON-09 mount-propagation-shared: a bind mount with rshared propagation in the backup job is rejected by container-mount-propagation", () =>
            expectRejected("mount-propagation-shared", "backup", ["container-mount-propagation"]));

        it("CON-09, NET-01 host-network: a backend in host network mode is rejected by container-no-host-namespaces and network-user-defined", () =>
            expectRejected("host-network", "backend", ["container-no-host-namespaces", "network-user-defined"]));

        it("LOG-05 no-health-check: a backend without a health check is rejected by container-health-check", () =>
            expectRejected("no-health-check", "backend", ["container-health-check"]));

        it("LOG-04 no-log-rotation: json-file logs without max-size/max-file are rejected by container-log-rotation", () =>
            expectRejected("no-log-rotation", "backend", ["container-log-rotation"]));

        // The image is the app image the stack config names (the one image besides its role folder's build that
        // container-role-image lets the app run), so the tag is all that is wrong and the only violation, in an
        // update and in a preview (the config is known to both).
        it("LOG-07, CON-02 latest-image: a backend running the configured app image by :latest is rejected by container-image-immutable, and by nothing else", () => {
            expectRejected("latest-image", "backend", ["container-image-immutable"]);
            for (const run of [runs["latest-image"], runs["latest-image:preview"]]) {
                assert.deepEqual(mandatory(parseReport(run)).map((v) => v.policy), ["container-image-immutable"], shown(run));
            }
        });

        it("SEC-01 weak-inline-password: POSTGRES_PASSWORD=postgres written in code is rejected by secret-env-not-inline", () =>
            expectRejected("weak-inline-password", "database", ["secret-env-not-inline"]));

        it("APP-01 cors-wildcard: CORS_ORIGINS=* is rejected by app-cors-no-wildcard", () =>
            expectRejected("cors-wildcard", "backend", ["app-cors-no-wildcard"]));

        it("NET-05 rails-force-ssl-off: RAILS_FORCE_SSL=false in production is rejected by app-rails-force-ssl", () =>
            expectRejected("rails-force-ssl-off", "backend", ["app-rails-force-ssl"]));

        it("BAK-02, DB-05, BAK-07 unencrypted-backup-bucket: a bare bucket tagged for backups is rejected by aws-backup-bucket-hardened", () =>
            expectRejected("unencrypted-backup-bucket", "backups", ["aws-backup-bucket-hardened"]));

        it("BAK-06 backup-identity-s3-star: a backup uploader allowed s3:* is rejected by aws-backup-identity-least-privilege", () =>
            expectRejected("backup-identity-s3-star", "backup-uploader-policy", ["aws-backup-identity-least-privilege"]));

        // Only the database names its networks by ID; the preview refuses that unknown value (fail closed) and still
        // tells the edge network from the engine's property dependencies. The other containers name theirs as the
        // baseline does, so nothing else is refused.
        it("NET-01, NET-02, DB-02 database-on-edge-network: the database on the edge network too, its networks named by ID (unknown in a preview), is rejected by network-database-internal-only; the edge network and the proxy on it by network-data-network-internal", () => {
            expectRejected("database-on-edge-network", "database", ["network-database-internal-only"], ["edge", "proxy"]);
            const preview = parseReport(runs["database-on-edge-network:preview"]);
            assert.deepEqual(
                preview.inconclusive.map((i) => [i.policy, i.urn?.split("::").pop(), i.field, i.kind]),
                [["network-user-defined", "database", "networksAdvanced", "refused"]],
            );
        });

        it("NET-01, DB-02 data-network-not-internal: a data network that is not internal is rejected by network-data-network-internal and network-database-internal-only", () =>
            expectRejected("data-network-not-internal", "data", ["network-data-network-internal"], ["database"]));

        it("DB-03, BAK-01 no-backup-job: a database no backup job reaches is rejected by backup-job-per-database", () =>
            expectRejected("no-backup-job", "database", ["backup-job-per-database"]));

        it("BAK-01 backup-holds-age-identity: a backup job holding the age identity is rejected by backup-job-per-database", () =>
            expectRejected("backup-holds-age-identity", "backup", ["backup-job-per-database"]));

        // Closed world: a role container runs only the image its role's folder builds (or, for the app, the image the
        // stack config names), so an image from nowhere is also refused by container-role-image. The container it
        // unplaces is then judged by the strictest rules (network-data-network-internal), still on the backend alone.
        it("CON-01 bare-image-id: an image given as a bare ID that no docker.Image of the stack built is rejected by container-image-provenance and container-role-image", () =>
            expectRejected("bare-image-id", "backend", ["container-image-provenance", "container-role-image"]));

        it("BAK-02, BAK-04, BAK-07 untagged-backup-bucket: the untagged bucket the uploader's policy writes to is a backup bucket and is rejected by aws-backup-bucket-hardened", () =>
            expectRejected("untagged-backup-bucket", "offsite", ["aws-backup-bucket-hardened"]));

        it("asserts every program under test/fixtures/broken/", () => {
            assert.deepEqual(BROKEN_FIXTURES.filter((name) => !asserted.has(name)), []);
        });
    });
});

describe("policy:check arguments (exit 2)", function () {
    this.timeout(60_000);
    let runs: Record<string, CheckRun>;

    before(async () => {
        runs = await inParallel({
            missing: ["--program", "test/fixtures/no-such-program"],
            missingJson: ["--json", "--program", "test/fixtures/no-such-program"],
            unknownFlag: ["--programme", "infra"],
            noValue: ["--stack"],
            badSetting: ["--config", "no-equals-sign"],
            missingStack: ["--program", compliant, "--stack", "staging"],
            help: ["--help"],
        });
    });

    it("a missing program", () => {
        assert.equal(runs.missing.code, 2, shown(runs.missing));
        assert.match(runs.missing.stderr, /--program test\/fixtures\/no-such-program: no such file or directory/);
    });

    it("a missing program, as JSON", () => {
        assert.equal(runs.missingJson.code, 2);
        assert.match(JSON.parse(runs.missingJson.stdout).error, /no such file or directory/);
    });

    it("an unknown flag, with a pointer to --help", () => {
        assert.equal(runs.unknownFlag.code, 2);
        assert.match(runs.unknownFlag.stderr, /unknown option --programme\nRun with --help for usage\./);
    });

    it("a flag without its value", () => {
        assert.equal(runs.noValue.code, 2);
        assert.match(runs.noValue.stderr, /--stack needs a value/);
    });

    it("a --config that is not key=value", () => {
        assert.equal(runs.badSetting.code, 2);
        assert.match(runs.badSetting.stderr, /--config expects key=value, got "no-equals-sign"/);
    });

    it("an explicit --stack without its stack file", () => {
        assert.equal(runs.missingStack.code, 2);
        assert.match(runs.missingStack.stderr, /no Pulumi\.staging\.yaml in .*compliant/);
    });

    it("--help prints the usage and exits 0", () => {
        assert.equal(runs.help.code, 0);
        assert.match(runs.help.stdout, /^Usage: npm run --silent policy:check -- \[options\]/);
        for (const flag of ["--program", "--stack", "--config-file", "--config", "--secret", "--policy-config", "--json"]) {
            assert.ok(runs.help.stdout.includes(flag), flag);
        }
    });
});
