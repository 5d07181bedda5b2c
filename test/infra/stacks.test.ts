// The two stacks as committed: Pulumi.dev.yaml as it is, Pulumi.prod.yaml with its secrets generated (the
// age recipient replaced by the generated identity's). Both evaluate through the real entry (infra/index.ts),
// build the expected containers and images, parent every resource under the stack, and export their outputs.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ageRecipientFromIdentity } from "../../infra/age";
import { NAMESPACE } from "../../infra/config";
import { BUILT_IMAGES } from "../../infra/components/images";
import { loadStackConfig } from "../../tools/mocks/stack-config";
import { envOf, PROJECT_DIR, runStack, SECRET_CONFIG_KEYS, SecretValue, serviceOf, StackRun, TYPES } from "../../tools/mocks/stack-run";

const DEV_SERVICES = ["backend", "backup", "database", "frontend", "proxy", "restore-drill"];
const PROD_SERVICES = [...DEV_SERVICES, "offsite-uploader"].sort();

describe("infra stacks: dev and prod as committed", function () {
    this.timeout(60000);
    let dev: StackRun;
    let prod: StackRun;

    before(async () => {
        dev = await runStack("dev");
        prod = await runStack("prod");
    });

    it("the stack files hold no secret in plain text", () => {
        for (const stack of ["dev", "prod"]) {
            const file = loadStackConfig(PROJECT_DIR, stack, true);
            for (const key of SECRET_CONFIG_KEYS) {
                assert.equal(file.config[`${NAMESPACE}:${key}`], undefined, `Pulumi.${stack}.yaml sets ${key} in plain text`);
            }
            const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
            assert.doesNotMatch(text, /-----BEGIN [A-Z ]*PRIVATE KEY-----|^\s*[^#\n]*AGE-SECRET-KEY-1/m, `Pulumi.${stack}.yaml`);
        }
    });

    it("dev evaluates with one container per service: proxy, backend, frontend, database, backup, restore-drill", () => {
        assert.deepEqual(dev.services().sort(), DEV_SERVICES);
        assert.equal(dev.outputs.environment, "dev");
    });

    it("prod evaluates with the same services plus the off-site uploader", () => {
        assert.deepEqual(prod.services().sort(), PROD_SERVICES);
        assert.equal(prod.outputs.environment, "prod");
    });

    it("each container name is <stack>-<service> and unique", () => {
        for (const run of [dev, prod]) {
            const names = run.containers().map((c) => c.inputs.name);
            assert.deepEqual(names, run.containers().map((c) => `${run.stack}-${serviceOf(c)}`));
            assert.equal(new Set(names).size, names.length);
        }
    });

    it("dev builds the demo application images; prod builds only its own images and runs the configured app images", () => {
        const built = (run: StackRun) => run.byType(TYPES.image).map((i) => String(i.inputs.imageName)).sort();
        assert.deepEqual(built(dev), [...BUILT_IMAGES].map((n) => `bulwark/${n}:dev`).sort());
        assert.deepEqual(built(prod), ["backup", "postgres", "proxy"].map((n) => `bulwark/${n}:prod`));
        assert.equal(prod.container("backend").inputs.image, prod.cfg("backendImage"));
        assert.equal(prod.container("frontend").inputs.image, prod.cfg("frontendImage"));
    });

    it("only prod has the off-site backup resources (AWS) and the egress network", () => {
        assert.equal(dev.resources.filter((r) => r.type.startsWith("aws:") || r.type.startsWith("pulumi:providers:aws")).length, 0);
        assert.throws(() => dev.network("egress"));
        assert.ok(prod.network("egress"));
        // A site is a backup bucket, its log bucket and its KMS key; Pulumi.prod.yaml adds the replica's site.
        const sites = prod.cfgJson("offsiteBackup").replica ? 2 : 1;
        assert.equal(prod.byType(TYPES.bucket).length, 2 * sites);
        assert.equal(prod.byType(TYPES.kmsKey).length, sites);
        const provider = prod.one("pulumi:providers:aws");
        assert.equal(provider.inputs.region, prod.cfgJson("offsiteBackup").region);
    });

    it("every resource but the engine's root Stack and its default providers has a registered parent", () => {
        for (const run of [dev, prod]) {
            const roots = run.resources.filter((r) => !r.parent);
            assert.deepEqual(roots.map((r) => r.type).filter((t) => !t.startsWith("pulumi:providers:")), ["pulumi:pulumi:Stack"], run.stack);
            assert.deepEqual(run.resources.filter((r) => r.parent === roots[0].urn).map((r) => r.type), [TYPES.stack], run.stack);
            for (const r of run.resources.filter((x) => x.parent)) {
                assert.ok(run.byUrn(r.parent!), `${run.stack}: ${r.name}'s parent ${r.parent} was never registered`);
            }
        }
    });

    it("the app and the backups are created after the database, the proxy after the app", () => {
        for (const run of [dev, prod]) {
            const component = (type: string) => run.one(type);
            const dbContainer = run.container("database").urn;
            assert.ok(component("bulwark:stack:App").dependencies?.includes(dbContainer), `${run.stack}: app`);
            assert.ok(component("bulwark:stack:Backup").dependencies?.includes(dbContainer), `${run.stack}: backup`);
            const proxyDeps = component("bulwark:stack:Proxy").dependencies ?? [];
            assert.ok(proxyDeps.includes(run.container("backend").urn) && proxyDeps.includes(run.container("frontend").urn), `${run.stack}: proxy`);
        }
    });

    it("exports the url from the configured domain and https port", () => {
        assert.equal(dev.outputs.url, `https://${dev.cfg("domain")}:${dev.cfg("httpsPort")}`);
        assert.equal(prod.outputs.url, `https://${prod.cfg("domain")}`);
        assert.equal(prod.cfg("httpsPort"), "443");
    });

    it("exports the networks, volumes and containers it created", () => {
        for (const run of [dev, prod]) {
            const networks = run.outputs.networks as Record<string, string | undefined>;
            const networkNames = run.networks().map((n) => n.inputs.name).sort();
            assert.deepEqual(Object.values(networks).filter((n) => n !== undefined).sort(), networkNames, run.stack);
            const volumes = run.outputs.volumes as Record<string, string>;
            for (const name of Object.values(volumes)) {
                assert.ok(run.volume(name), `${run.stack}: ${name}`);
            }
            const containers = run.outputs.containers as Record<string, string | undefined>;
            assert.deepEqual(
                Object.values(containers).filter((c) => c !== undefined).sort(),
                run.containers().map((c) => c.inputs.name).sort(),
                run.stack,
            );
        }
        assert.equal((dev.outputs.networks as Record<string, unknown>).egress, undefined);
        assert.equal((dev.outputs.containers as Record<string, unknown>).offsiteUploader, undefined);
    });

    it("exports the backup bucket, its replica's and the uploader's access key id in prod only, as one object", () => {
        const uploaderBucket = envOf(prod.container("offsite-uploader")).S3_BUCKET;
        const bucket = prod.one(TYPES.bucket, (b) => b.outputs?.bucket === uploaderBucket, "backup bucket");
        const replica = prod.one(TYPES.bucket, (b) => b.inputs.region === prod.cfgJson("offsiteBackup").replica.region && b.name.endsWith("-bucket"), "replica bucket");
        assert.deepEqual(prod.outputs.offsiteBackup, {
            bucket: bucket.outputs?.bucket,
            replicaBucket: replica.outputs?.bucket,
            uploaderAccessKeyId: prod.one(TYPES.accessKey).outputs?.id,
        });
        assert.deepEqual(Object.values(dev.outputs.offsiteBackup as object).filter((v) => v !== undefined), []);
    });

    it("no top-level output is undefined: the engine would warn \"Undefined value (...) will not show as a stack output\" on every run", () => {
        for (const run of [dev, prod]) {
            assert.deepEqual(Object.keys(run.outputs).filter((k) => run.outputs[k] === undefined), [], run.stack);
        }
    });

    it("exports the age recipient (public) matching the secret identity: generated in dev, the configured pair in prod", () => {
        for (const run of [dev, prod]) {
            const identity = run.outputs.backupAgeIdentity;
            assert.ok(identity instanceof SecretValue, run.stack);
            assert.equal(run.outputs.backupAgeRecipient, ageRecipientFromIdentity(String(identity.value)), run.stack);
        }
        assert.equal(prod.outputs.backupAgeRecipient, prod.cfg("backupAgeRecipient"));
        assert.equal((prod.outputs.backupAgeIdentity as SecretValue).value, prod.input.secrets?.backupAgeIdentity);
        // dev generated its pair from a RandomBytes resource.
        assert.ok(dev.byType(TYPES.randomBytes).some((b) => b.name.includes("age")));
        assert.ok(!prod.byType(TYPES.randomBytes).some((b) => b.name.includes("age")));
    });
});
