// The program builds the controls of the catalog: every test runs the real program entry (infra/index.ts)
// under the recording mocks and asserts on what it registered, with expectations derived from the config the
// run was given and from the program's exported constants. Three runs: dev as committed (Pulumi.dev.yaml), dev
// with every tunable changed (so a value that ignored its config would show), and prod (Pulumi.prod.yaml with
// generated secrets). The last test checks that every control this suite owns has a test named after it.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONTROLS, isControlId, LABELS, PROXY_CONTAINER_PORTS, ROLES } from "bulwark-vocabulary";
import { ageRecipientFromIdentity, isAgeIdentity, isAgeRecipient } from "../../infra/age";
import { BulwarkConfig, ConfigError, LIMITS, loadConfig, ServiceName } from "../../infra/config";
import { BACKUP_DIR, DRILL_KEYRING_DIR, DRILL_REPORT_DIR, drillKeysVolumeName, drillScratchVolumeName } from "../../infra/components/backup";
import { DATABASE_BACKUP_USER, DATABASE_HOST, DATABASE_NAME, DATABASE_PORT, DATABASE_USER, POSTGRES_SETTINGS } from "../../infra/components/database";
import { BACKUP_USERS, BUILT_IMAGES, IMAGE_USERS, IMAGES_DIR } from "../../infra/components/images";
import { BACKUP_BUCKET_TAG, BACKUP_IDENTITY_ACTIONS } from "../../infra/components/offsite";
import { AUTH_ROUTES, NGINX_TEMP_MB } from "../../infra/components/proxy";
import { SECRET_LENGTHS } from "../../infra/components/secrets";
import { PROFILE_CONTROLS } from "../../infra/hardening";
import { EngineResource } from "../../tools/analyzer/judge";
import {
    ConfigMap,
    envOf,
    labelOf,
    mapSource,
    networksOf,
    postgresSettings,
    PROJECT_DIR,
    runProgram,
    runStack,
    SecretValue,
    serviceOf,
    StackRun,
    stackFileConfig,
    stackInput,
    stringsIn,
    TYPES,
    unwrap,
} from "../../tools/mocks/stack-run";
import { isSecret } from "../../tools/analyzer/wire";

/** Controls owned by other issues: CI template, images, live audit, compliance report. */
const NOT_OWNED = new Set(["CON-03", "CON-04", "CMP-04", "CMP-07"]);

/** Every tunable changed from its default, so each expectation below can only hold if the value flows through. */
const CUSTOM_DEV: ConfigMap = {
    httpsPort: "9443",
    httpPort: "9080",
    dataSubnet: "10.42.7.0/24",
    baseImage: `debian:bookworm-slim@sha256:${"ab".repeat(32)}`,
    corsOrigins: JSON.stringify(["https://localhost:9443", "https://admin.localhost:9443"]),
    jwtAccessTtlSeconds: "600",
    jwtRefreshTtlSeconds: "86400",
    authRateLimit: JSON.stringify({ requestsPerMinute: 30, burst: 7 }),
    requestBodyLimitMb: "25",
    logRotation: JSON.stringify({ maxSizeMb: 20, maxFiles: 3 }),
    resources: JSON.stringify({ proxy: { memoryMb: 256, cpus: 0.25 }, backup: { memoryMb: 768, cpus: 1.5 }, drill: { memoryMb: 640, cpus: 1 }, database: { memoryMb: 1536, cpus: 2 } }),
    backupSchedule: "30 1 * * *",
    restoreDrillSchedule: "0 5 * * 6",
    backupRetention: JSON.stringify({ daily: 10, weekly: 6, monthly: 3 }),
    alertWebhookUrl: "https://alerts.example.net/hook",
    backupVolumeHostPath: "/srv/bulwark-backups",
    googleClientSecret: `GOCSPX-${crypto.randomBytes(21).toString("base64url")}`,
};

interface Case {
    readonly label: string;
    readonly run: StackRun;
    readonly config: BulwarkConfig;
}

/** The resources key a container's limits come from. */
const RESOURCES_OF: Record<string, ServiceName> = {
    proxy: "proxy",
    backend: "backend",
    frontend: "frontend",
    database: "database",
    backup: "backup",
    "restore-drill": "drill",
    "offsite-uploader": "backup",
};

/** The built image (images/<name>) each service runs, unless an application image is configured. */
const IMAGE_OF: Record<string, (typeof BUILT_IMAGES)[number]> = {
    proxy: "proxy",
    backend: "demo-backend",
    frontend: "demo-frontend",
    database: "postgres",
    backup: "backup",
    "restore-drill": "backup",
    "offsite-uploader": "backup",
};

function expectedUser(service: string, config: BulwarkConfig): string {
    if (service === "backend") return config.backend.user;
    if (service === "frontend") return config.frontend.user;
    if (service === "restore-drill") return BACKUP_USERS.drill;
    if (service === "offsite-uploader") return BACKUP_USERS.uploader;
    return IMAGE_USERS[IMAGE_OF[service]];
}

function tmpfsOf(c: EngineResource): Record<string, string> {
    return unwrap<Record<string, string> | undefined>(c.inputs.tmpfs) ?? {};
}

function mountsOf(c: EngineResource): { type: string; source: string; target: string; readOnly: boolean }[] {
    return unwrap(c.inputs.mounts) ?? [];
}

function portsOf(c: EngineResource): { internal: number; external: number; ip?: string; protocol?: string }[] {
    return unwrap(c.inputs.ports) ?? [];
}

/** The document as the provider's Check hands it on (typed documents become JSON text there). */
function policyDoc(r: EngineResource): { Statement: Record<string, any>[] } {
    return JSON.parse(unwrap<string>((r.checkedInputs ?? r.inputs).policy));
}

function statement(doc: { Statement: Record<string, any>[] }, sid: string): Record<string, any> {
    const found = doc.Statement.find((s) => s.Sid === sid);
    assert.ok(found, `no statement ${sid}`);
    return found;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The primary off-site copy's resources are in the provider's region; the replica's (offsiteBackup.replica) name their own. */
const inPrimaryRegion = (r: EngineResource) => r.inputs.region === undefined;

describe("infra controls: the program builds them", function () {
    this.timeout(60000);
    let dev: Case;
    let custom: Case;
    let prod: Case;
    const all = () => [dev, custom, prod];
    const eachContainer = (fn: (c: EngineResource, service: string, k: Case) => void) => {
        for (const k of all()) {
            for (const c of k.run.containers()) {
                fn(c, serviceOf(c), k);
            }
        }
    };
    const caseOf = (label: string, run: StackRun): Case => ({
        label,
        run,
        config: loadConfig(mapSource(run.stack, run.input.config, run.input.secretKeys)),
    });

    before(async () => {
        dev = caseOf("dev", await runStack("dev"));
        custom = caseOf("dev (custom config)", await runStack("dev", CUSTOM_DEV));
        prod = caseOf("prod", await runStack("prod", { alertWebhookUrl: "https://hooks.example.com/bulwark" }));
    });

    // ---- containers: the hardening profile ---------------------------------------------------------------

    describe("containers", () => {
        it("every container carries the labels contract: project, stack, service, role and its controls", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                assert.equal(labelOf(c, LABELS.project), "bulwark", where);
                assert.equal(labelOf(c, LABELS.stack), k.run.stack, where);
                assert.ok((ROLES as readonly string[]).includes(labelOf(c, LABELS.role) ?? ""), `${where}: role ${labelOf(c, LABELS.role)}`);
                const controls = (labelOf(c, LABELS.controls) ?? "").split(",");
                for (const id of controls) {
                    assert.ok(isControlId(id), `${where}: unknown control ${id}`);
                }
                for (const id of PROFILE_CONTROLS) {
                    assert.ok(controls.includes(id), `${where}: does not list ${id}`);
                }
            });
            const listed = (k: Case, service: string) => (labelOf(k.run.container(service), LABELS.controls) ?? "").split(",");
            for (const id of ["DB-01", "DB-02", "DB-04", "DB-07", "LOG-02", "NET-02", "CMP-05"]) assert.ok(listed(prod, "database").includes(id), `database: ${id}`);
            for (const id of ["NET-03", "NET-04", "NET-06", "NET-07", "APP-03", "APP-05", "LOG-01", "LOG-03"]) assert.ok(listed(prod, "proxy").includes(id), `proxy: ${id}`);
            for (const id of ["NET-05", "APP-01", "APP-02", "SEC-01"]) assert.ok(listed(prod, "backend").includes(id), `backend: ${id}`);
            for (const id of ["DB-03", "BAK-01", "BAK-04"]) assert.ok(listed(prod, "backup").includes(id), `backup: ${id}`);
            assert.ok(listed(prod, "restore-drill").includes("BAK-03"));
            assert.ok(listed(prod, "offsite-uploader").includes("BAK-02"));
        });

        it("CON-05: every container runs as a numeric non-root uid:gid, the one its image or its config declares", () => {
            eachContainer((c, service, k) => {
                const user = c.inputs.user as string;
                const m = /^(\d+):(\d+)$/.exec(user);
                assert.ok(m, `${k.label}/${service}: user ${JSON.stringify(user)} is not numeric uid:gid`);
                assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0, `${k.label}/${service}: runs as root (${user})`);
                assert.equal(user, expectedUser(service, k.config), `${k.label}/${service}`);
            });
            // The demo stand-ins run as the user their image creates; prod runs the configured one.
            assert.equal(dev.config.backend.user, IMAGE_USERS["demo-backend"]);
            assert.equal(dev.config.frontend.user, IMAGE_USERS["demo-frontend"]);
            assert.equal(prod.run.container("backend").inputs.user, prod.run.cfgJson("backend").user);
        });

        it("CON-06: every container has a read-only root filesystem; writable paths are noexec tmpfs owned by its user, or volumes", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                assert.equal(c.inputs.readOnly, true, `${where}: readOnly`);
                const [uid, gid] = (c.inputs.user as string).split(":");
                for (const [mountPath, options] of Object.entries(tmpfsOf(c))) {
                    const opts = options.split(",");
                    for (const flag of ["noexec", "nosuid", "nodev", `uid=${uid}`, `gid=${gid}`]) {
                        assert.ok(opts.includes(flag), `${where}: tmpfs ${mountPath} lacks ${flag}`);
                    }
                    assert.ok(opts.some((o) => /^size=\d+m$/.test(o)), `${where}: tmpfs ${mountPath} is unbounded`);
                }
                for (const mount of mountsOf(c)) {
                    assert.equal(mount.type, "volume", `${where}: ${mount.target} is a ${mount.type} mount`);
                }
            });
            // The application's writable paths are exactly the configured ones.
            for (const k of all()) {
                assert.deepEqual(Object.keys(tmpfsOf(k.run.container("backend"))).sort(), [...k.config.backend.writablePaths].sort(), k.label);
                assert.deepEqual(Object.keys(tmpfsOf(k.run.container("frontend"))).sort(), [...k.config.frontend.writablePaths].sort(), k.label);
            }
        });

        it("CON-07: every container drops ALL capabilities, adds none, is not privileged and sets no-new-privileges", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                const caps = unwrap<{ drops?: string[]; adds?: string[] }>(c.inputs.capabilities);
                assert.deepEqual(caps.drops, ["ALL"], where);
                assert.deepEqual(caps.adds ?? [], [], where);
                assert.equal(c.inputs.privileged, false, where);
                assert.ok((unwrap<string[]>(c.inputs.securityOpts) ?? []).includes("no-new-privileges:true"), `${where}: no-new-privileges`);
            });
        });

        it("CON-08: every container has the configured memory (no swap on top), CPU share and process/file ulimits", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                const limits = k.config.resources[RESOURCES_OF[service]];
                assert.equal(c.inputs.memory, limits.memoryMb, `${where}: memory`);
                assert.equal(c.inputs.memorySwap, c.inputs.memory, `${where}: memorySwap`);
                assert.equal(Number(c.inputs.cpus), limits.cpus, `${where}: cpus`);
                const ulimits = unwrap<{ name: string; soft: number; hard: number }[]>(c.inputs.ulimits);
                for (const name of ["nproc", "nofile"]) {
                    const u = ulimits.find((x) => x.name === name);
                    assert.ok(u && u.soft > 0 && u.hard > 0 && u.soft <= u.hard, `${where}: ulimit ${name}`);
                }
            });
            // The custom run changed these: they come from config, not from defaults.
            assert.equal(custom.run.container("proxy").inputs.memory, custom.run.cfgJson("resources").proxy.memoryMb);
            assert.equal(custom.run.container("backup").inputs.memory, custom.run.cfgJson("resources").backup.memoryMb);
            assert.equal(custom.run.container("restore-drill").inputs.memory, custom.run.cfgJson("resources").drill.memoryMb);
        });

        it("CON-08: the backup job, the restore drill and the uploader run as three uids, since nproc counts per uid, sharing only the job's group", () => {
            for (const k of all()) {
                const backupServices = ["backup", "restore-drill", ...(k.run.containers().some((c) => serviceOf(c) === "offsite-uploader") ? ["offsite-uploader"] : [])];
                const users = backupServices.map((service) => String(k.run.container(service).inputs.user));
                const uids = users.map((u) => u.split(":")[0]);
                assert.equal(new Set(uids).size, users.length, `${k.label}: ${backupServices.join(", ")} run as ${users.join(", ")}`);
                // The group is what lets the drill and the uploader read the job's backups (0750/0640).
                assert.deepEqual([...new Set(users.map((u) => u.split(":")[1]))], [IMAGE_USERS.backup.split(":")[1]], k.label);
                // The job keeps the image's user, the owner of every existing backup.
                assert.equal(users[0], IMAGE_USERS.backup, k.label);
                const others = k.run.containers().filter((c) => !backupServices.includes(serviceOf(c)));
                for (const c of others) {
                    assert.ok(!uids.includes(String(c.inputs.user).split(":")[0]), `${k.label}/${serviceOf(c)} shares a backup container's uid`);
                }
            }
            assert.ok(prod.run.container("offsite-uploader"), "prod runs the uploader");
        });

        it("CON-09: no container uses a host namespace, the Docker socket or a host path", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                assert.ok(c.inputs.networkMode === undefined || c.inputs.networkMode === "none", `${where}: networkMode ${c.inputs.networkMode}`);
                for (const field of ["pidMode", "ipcMode", "usernsMode", "cgroupnsMode", "volumes", "devices", "hostname", "publishAllPorts"]) {
                    const value = unwrap(c.inputs[field]);
                    assert.ok(value === undefined || (Array.isArray(value) && value.length === 0), `${where}: ${field} = ${JSON.stringify(value)}`);
                }
                assert.ok(!JSON.stringify(unwrap(c.inputs)).includes("docker.sock"), `${where}: mentions docker.sock`);
                const stackNetworks = new Set(k.run.networks().map((n) => n.inputs.name));
                for (const name of networksOf(c)) {
                    assert.ok(stackNetworks.has(name), `${where}: joins ${name}, not a network of the stack`);
                }
            });
        });

        it("CON-01: built images start from the configured, digest-pinned Docker official base image", () => {
            for (const k of all()) {
                const images = k.run.byType(TYPES.image);
                assert.ok(images.length > 0, k.label);
                for (const image of images) {
                    const build = unwrap<{ context: string; dockerfile: string; args: Record<string, string> }>(image.inputs.build);
                    assert.equal(build.args.BASE_IMAGE, k.config.baseImage, `${k.label}/${image.name}`);
                    // Context images/, so that every image can COPY the hardening step they share (images/shared/).
                    const name = path.basename(path.dirname(build.dockerfile));
                    assert.deepEqual([build.context, build.dockerfile], [IMAGES_DIR, path.join(IMAGES_DIR, name, "Dockerfile")], `${k.label}/${image.name}`);
                    assert.ok((BUILT_IMAGES as readonly string[]).includes(name), `${k.label}/${image.name}`);
                }
                // Docker official images have no registry host and no namespace: "debian:...".
                assert.match(k.config.baseImage, /^[a-z0-9]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$/, k.label);
            }
            assert.equal(unwrap(custom.run.byType(TYPES.image)[0].inputs.build).args.BASE_IMAGE, custom.run.cfg("baseImage"));
        });

        it("CON-02: a base given as a local image ID is built with the classic builder, which resolves IDs locally (BuildKit would pull \"library/sha256\")", async () => {
            const id = `sha256:${"5e".repeat(32)}`;
            const local = await runStack("dev", { baseImage: id });
            for (const image of local.byType(TYPES.image)) {
                const build = unwrap<{ args: Record<string, string>; builderVersion?: string }>(image.inputs.build);
                assert.deepEqual([build.args.BASE_IMAGE, build.builderVersion], [id, "BuilderV1"], image.name);
            }
            for (const k of all()) {
                for (const image of k.run.byType(TYPES.image)) {
                    assert.equal(unwrap(image.inputs.build).builderVersion, "BuilderBuildKit", `${k.label}/${image.name}: a registry base keeps BuildKit`);
                }
            }
        });

        it("CON-02: the base image is pinned by digest and an unpinned one is refused", () => {
            for (const k of all()) {
                assert.match(k.config.baseImage, /@sha256:[0-9a-f]{64}$/, k.label);
            }
            assert.throws(
                () => loadConfig(mapSource("dev", { baseImage: "debian:bookworm-slim" })),
                (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.key === "baseImage"),
            );
        });

        it("LOG-07: every container image is immutable: built images by their build's local image ID (the docker provider's repoDigest under skipPush), prod app images by digest from config", () => {
            for (const k of all()) {
                const builds = new Map(k.run.byType(TYPES.image).map((i) => [String(i.inputs.imageName), String(i.outputs?.repoDigest)]));
                for (const c of k.run.containers()) {
                    const service = serviceOf(c);
                    const image = unwrap<string>(c.inputs.image);
                    const configured = service === "backend" ? k.config.backendImage : service === "frontend" ? k.config.frontendImage : undefined;
                    assert.match(image, configured ? /@sha256:[0-9a-f]{64}$/ : /^sha256:[0-9a-f]{64}$/, `${k.label}/${service}`);
                    const expected = configured ?? builds.get(`bulwark/${IMAGE_OF[service]}:${k.run.stack}`);
                    assert.equal(image, expected, `${k.label}/${service}`);
                }
            }
        });

        it("LOG-04: every container rotates its json-file log by the configured size and count", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                assert.equal(c.inputs.logDriver, "json-file", where);
                assert.deepEqual(unwrap(c.inputs.logOpts), {
                    "max-size": `${k.config.logRotation.maxSizeMb}m`,
                    "max-file": `${k.config.logRotation.maxFiles}`,
                }, where);
            });
            assert.equal(unwrap(custom.run.container("backend").inputs.logOpts)["max-size"], `${custom.run.cfgJson("logRotation").maxSizeMb}m`);
        });

        it("LOG-05: every container has an exec-form health check; the apps use their configured probe", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                const hc = unwrap<{ tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string }>(c.inputs.healthcheck);
                assert.ok(hc, `${where}: no healthcheck`);
                assert.equal(hc.tests[0], "CMD", `${where}: not exec form`);
                assert.ok(hc.tests.length > 1 && hc.tests.slice(1).every((t) => t.length > 0), where);
                for (const d of [hc.interval, hc.timeout, hc.startPeriod]) {
                    // Go's Duration.String() form, as the provider reads it back ("30s", "1m0s"); never zero.
                    assert.match(d, /^(?:[1-9]\d*h)?(?:\d+m)?\d+s$/, where);
                    assert.notEqual(d, "0s", where);
                }
                assert.ok(hc.retries >= 1, where);
            });
            for (const k of all()) {
                assert.deepEqual(unwrap(k.run.container("backend").inputs.healthcheck).tests, ["CMD", ...k.config.backend.healthCommand], k.label);
                assert.deepEqual(unwrap(k.run.container("frontend").inputs.healthcheck).tests, ["CMD", ...k.config.frontend.healthCommand], k.label);
            }
        });

        it("LOG-06: every container restarts unless stopped and the deployment waits for it to be healthy", () => {
            eachContainer((c, service, k) => {
                const where = `${k.label}/${service}`;
                assert.equal(c.inputs.restart, "unless-stopped", where);
                assert.equal(c.inputs.wait, true, where);
                assert.ok(Number(c.inputs.waitTimeout) > 0, where);
            });
        });

        it("LOG-06: backup failures alert the configured webhook, and no hook is set when none is configured", () => {
            const backupServices = ["backup", "restore-drill", "offsite-uploader"];
            for (const k of [custom, prod]) {
                assert.ok(k.config.alertWebhookUrl, k.label);
                for (const c of k.run.containers().filter((x) => backupServices.includes(serviceOf(x)))) {
                    const url = envOf(c).ALERT_WEBHOOK_URL;
                    assert.match(url, /^https:\/\//, `${k.label}/${serviceOf(c)}`);
                    // Secret config, so the state encrypts the env entry that carries its token (issue 13).
                    const entries: unknown[] = isSecret(c.inputs.envs) ? [] : (c.inputs.envs as unknown[] | undefined) ?? [];
                    assert.deepEqual(entries.filter((e) => !isSecret(e) && String(e).includes(url)), [], `${k.label}/${serviceOf(c)}: the webhook URL is in plain state`);
                }
                if (k === custom) {
                    assert.equal(envOf(k.run.container("backup")).ALERT_WEBHOOK_URL, CUSTOM_DEV.alertWebhookUrl);
                }
            }
            assert.equal(dev.config.alertWebhookUrl, undefined);
            for (const c of dev.run.containers()) {
                assert.equal(envOf(c).ALERT_WEBHOOK_URL, undefined, serviceOf(c));
            }
        });
    });

    // ---- networks ---------------------------------------------------------------------------------------------

    describe("networks", () => {
        it("NET-01: services run on the stack's own bridge networks; the data network is internal", () => {
            for (const k of all()) {
                const purposes = k.config.offsiteBackup.enabled ? ["data", "edge", "egress"] : ["data", "edge"];
                assert.deepEqual(k.run.networks().map((n) => n.inputs.name).sort(), purposes.map((p) => `${k.run.stack}-${p}`), k.label);
                for (const n of k.run.networks()) {
                    assert.equal(n.inputs.driver, "bridge", `${k.label}/${n.inputs.name}`);
                    assert.equal(labelOf(n, LABELS.stack), k.run.stack);
                }
                assert.equal(k.run.network("data").inputs.internal, true, `${k.label}: data network not internal`);
                assert.equal(k.run.network("edge").inputs.internal, false, k.label);
                for (const c of k.run.containers()) {
                    const service = serviceOf(c);
                    assert.ok(networksOf(c).length > 0 || c.inputs.networkMode === "none", `${k.label}/${service}: default bridge`);
                }
            }
        });

        it("NET-02: the database publishes no port and joins only the internal data network", () => {
            for (const k of all()) {
                const db = k.run.container("database");
                assert.deepEqual(portsOf(db), [], k.label);
                assert.equal(db.inputs.networkMode, undefined, k.label);
                assert.deepEqual(networksOf(db), [k.run.network("data").inputs.name], k.label);
            }
        });

        it("NET-03: only the proxy publishes ports: httpsPort -> 8443 and httpPort -> 8080 (443 and 80 in prod)", () => {
            for (const k of all()) {
                const publishing = k.run.containers().filter((c) => portsOf(c).length > 0).map(serviceOf);
                assert.deepEqual(publishing, ["proxy"], k.label);
                const ports = portsOf(k.run.container("proxy")).map((p) => ({ internal: p.internal, external: p.external }));
                assert.deepEqual(ports, [
                    { internal: PROXY_CONTAINER_PORTS.https, external: k.config.httpsPort },
                    { internal: PROXY_CONTAINER_PORTS.http, external: k.config.httpPort },
                ], k.label);
            }
            assert.deepEqual(portsOf(prod.run.container("proxy")).map((p) => p.external), [443, 80]);
            assert.deepEqual(portsOf(custom.run.container("proxy")).map((p) => p.external), [Number(CUSTOM_DEV.httpsPort), Number(CUSTOM_DEV.httpPort)]);
        });

        it("NET-03: the proxy's ports bind the stack's publishAddress (loopback in dev), never every interface by default", () => {
            for (const k of all()) {
                assert.deepEqual(portsOf(k.run.container("proxy")).map((p) => p.ip), [k.config.publishAddress, k.config.publishAddress], k.label);
            }
            assert.deepEqual(portsOf(dev.run.container("proxy")).map((p) => p.ip), ["127.0.0.1", "127.0.0.1"]);
            assert.deepEqual(portsOf(prod.run.container("proxy")).map((p) => p.ip), ["203.0.113.10", "203.0.113.10"]);
        });

        it("NET-04: the proxy terminates TLS with the provided certificate in prod (self-signed in dev) and publishes HTTP for the redirect", () => {
            const proxyEnv = envOf(prod.run.container("proxy"));
            const secrets = prod.run.input.secrets!;
            assert.equal(proxyEnv.TLS_MODE, "provided");
            assert.equal(proxyEnv.TLS_CERTIFICATE_PEM, secrets.tlsCertificate);
            assert.equal(proxyEnv.TLS_PRIVATE_KEY_PEM, secrets.tlsPrivateKey);
            for (const k of [dev, custom]) {
                const env = envOf(k.run.container("proxy"));
                assert.equal(env.TLS_MODE, "self-signed", k.label);
                assert.equal(env.TLS_PRIVATE_KEY_PEM, undefined, k.label);
            }
            for (const k of all()) {
                const env = envOf(k.run.container("proxy"));
                assert.equal(env.SERVER_NAME, k.config.domain, k.label);
                assert.equal(env.PUBLIC_HTTPS_PORT, `${k.config.httpsPort}`, k.label);
                assert.ok(portsOf(k.run.container("proxy")).some((p) => p.internal === PROXY_CONTAINER_PORTS.http && p.external === k.config.httpPort), k.label);
            }
        });

        it("NET-05: the backend runs with RAILS_FORCE_SSL=true in production mode", () => {
            for (const k of all()) {
                const env = envOf(k.run.container("backend"));
                assert.equal(env.RAILS_FORCE_SSL, "true", k.label);
                assert.equal(env.RAILS_ENV, "production", k.label);
            }
        });

        it("NET-06: the proxy sends HSTS for at least a year", () => {
            for (const k of all()) {
                const maxAge = envOf(k.run.container("proxy")).HSTS_MAX_AGE;
                assert.match(maxAge, /^\d+$/, k.label);
                assert.ok(Number(maxAge) >= 365 * 24 * 3600, `${k.label}: HSTS max-age ${maxAge}`);
            }
        });

        it("NET-07: cookies can only travel over TLS: the proxy is the only way in, the app is https-only and forces SSL", () => {
            for (const k of all()) {
                const backend = envOf(k.run.container("backend"));
                assert.equal(backend.PUBLIC_URL, k.run.outputs.url, k.label);
                assert.match(backend.PUBLIC_URL, /^https:\/\//, k.label);
                assert.equal(backend.RAILS_FORCE_SSL, "true", k.label);
                assert.ok((labelOf(k.run.container("proxy"), LABELS.controls) ?? "").split(",").includes("NET-07"), k.label);
                for (const origin of backend.CORS_ORIGINS.split(",")) {
                    assert.ok(origin.startsWith("https://"), `${k.label}: ${origin}`);
                }
            }
        });
    });

    // ---- application settings and the proxy ----------------------------------------------------------

    describe("application and proxy settings", () => {
        it("APP-01: CORS_ORIGINS lists exactly the configured origins, and a wildcard is refused", () => {
            for (const k of all()) {
                assert.deepEqual(envOf(k.run.container("backend")).CORS_ORIGINS.split(","), [...k.config.corsOrigins], k.label);
            }
            assert.deepEqual(envOf(custom.run.container("backend")).CORS_ORIGINS.split(","), custom.run.cfgJson("corsOrigins"));
            assert.throws(
                () => loadConfig(mapSource("dev", { corsOrigins: JSON.stringify(["*"]) })),
                (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.key === "corsOrigins"),
            );
        });

        it("APP-02: the backend gets the configured, bounded JWT lifetimes, refresh longer than access", () => {
            for (const k of all()) {
                const env = envOf(k.run.container("backend"));
                const access = Number(env.JWT_ACCESS_TTL_SECONDS);
                const refresh = Number(env.JWT_REFRESH_TTL_SECONDS);
                assert.equal(access, k.config.jwtAccessTtlSeconds, k.label);
                assert.equal(refresh, k.config.jwtRefreshTtlSeconds, k.label);
                assert.ok(access >= LIMITS.jwtAccessTtlSeconds.min && access <= LIMITS.jwtAccessTtlSeconds.max, k.label);
                assert.ok(refresh > access && refresh <= LIMITS.jwtRefreshTtlSeconds.max, k.label);
            }
            assert.equal(envOf(custom.run.container("backend")).JWT_ACCESS_TTL_SECONDS, CUSTOM_DEV.jwtAccessTtlSeconds);
            assert.throws(() => loadConfig(mapSource("dev", { jwtAccessTtlSeconds: `${LIMITS.jwtAccessTtlSeconds.max * 24}` })), ConfigError);
        });

        it("APP-03: the proxy rate-limits the authentication routes at the configured rate and burst", () => {
            for (const k of all()) {
                const env = envOf(k.run.container("proxy"));
                assert.equal(env.AUTH_RATE_PER_MINUTE, `${k.config.authRateLimit.requestsPerMinute}`, k.label);
                assert.equal(env.AUTH_BURST, `${k.config.authRateLimit.burst}`, k.label);
                assert.deepEqual(env.AUTH_ROUTES.split(","), [...AUTH_ROUTES], k.label);
            }
            const env = envOf(custom.run.container("proxy"));
            assert.deepEqual([env.AUTH_RATE_PER_MINUTE, env.AUTH_BURST], ["30", "7"]);
        });

        it("APP-05: the proxy bounds request bodies at the configured size; its temp tmpfs is small and does not grow with it", () => {
            // Bodies stream to the app (test/runtime/proxy-edge.test.ts uploads four maximum-size bodies at once).
            for (const k of all()) {
                const proxy = k.run.container("proxy");
                assert.equal(envOf(proxy).CLIENT_MAX_BODY_MB, `${k.config.requestBodyLimitMb}`, k.label);
                const tempTmpfs = tmpfsOf(proxy)["/var/lib/nginx"];
                assert.ok(tempTmpfs, `${k.label}: no tmpfs for nginx's temp paths`);
                assert.equal(Number(/size=(\d+)m/.exec(tempTmpfs)?.[1]), NGINX_TEMP_MB, k.label);
            }
            assert.equal(envOf(custom.run.container("proxy")).CLIENT_MAX_BODY_MB, CUSTOM_DEV.requestBodyLimitMb);
        });

        it("LOG-01: authentication attempts are logged: the proxy knows the auth routes, the app and database log to stdout", () => {
            for (const k of all()) {
                const routes = envOf(k.run.container("proxy")).AUTH_ROUTES.split(",");
                assert.ok(routes.length > 0 && routes.every((r) => r.startsWith("/")), k.label);
                assert.ok(routes.some((r) => /sign_in|login|auth/.test(r)), k.label);
                assert.equal(envOf(k.run.container("backend")).RAILS_LOG_TO_STDOUT, "true", k.label);
                assert.equal(postgresSettings(unwrap(k.run.container("database").inputs.command)).log_connections, "on", k.label);
            }
        });

        it("LOG-03: rate-limit rejections on auth routes are produced by the proxy and kept in its rotated log", () => {
            for (const k of all()) {
                const proxy = k.run.container("proxy");
                const env = envOf(proxy);
                assert.ok(Number(env.AUTH_RATE_PER_MINUTE) >= LIMITS.requestsPerMinute.min, k.label);
                assert.ok(env.AUTH_ROUTES.length > 0, k.label);
                assert.equal(proxy.inputs.logDriver, "json-file", k.label);
                assert.ok((labelOf(proxy, LABELS.controls) ?? "").split(",").includes("LOG-03"), k.label);
            }
        });
    });

    // ---- the database ----------------------------------------------------------------------------------

    describe("database", () => {
        const settings = (k: Case) => postgresSettings(unwrap(k.run.container("database").inputs.command));

        it("DB-01: postgres hashes passwords with scram-sha-256 and its password is a generated RandomPassword of >= 32 characters", () => {
            for (const k of all()) {
                assert.equal(settings(k).password_encryption, "scram-sha-256", k.label);
                const password = envOf(k.run.container("database")).POSTGRES_PASSWORD;
                const generator = k.run.one(TYPES.randomPassword, (r) => r.outputs?.result === password, "RandomPassword behind POSTGRES_PASSWORD");
                assert.ok(Number(generator.inputs.length) >= 32, `${k.label}: length ${generator.inputs.length}`);
                assert.equal(password.length, Number(generator.inputs.length), k.label);
            }
        });

        it("DB-02: pg_hba admits only the data network's subnet, which only the backend, backup and database join", () => {
            for (const k of all()) {
                const data = k.run.network("data");
                // Configured: the program's range; unset: the one Docker assigned, as the provider reads it back.
                const given = data.inputs.ipamConfigs === undefined ? undefined : unwrap<{ subnet: string }[]>(data.inputs.ipamConfigs)[0].subnet;
                assert.equal(given, k.config.dataSubnet, k.label);
                const subnet = unwrap<{ subnet: string }[]>(data.outputs!.ipamConfigs)[0].subnet;
                assert.match(subnet, /^\d+\.\d+\.\d+\.\d+\/\d+$/, k.label);
                assert.equal(envOf(k.run.container("database")).POSTGRES_HBA_CIDR, subnet, k.label);
                const members = k.run.containers().filter((c) => networksOf(c).includes(data.inputs.name)).map(serviceOf).sort();
                assert.deepEqual(members, ["backend", "backup", "database"], k.label);
            }
            assert.equal(dev.config.dataSubnet, undefined, "no fixed default range: two stacks on one host would collide");
            assert.equal(envOf(custom.run.container("database")).POSTGRES_HBA_CIDR, CUSTOM_DEV.dataSubnet);
        });

        it("DB-02: the backend and the backup job reach the database by its alias on the data network", () => {
            for (const k of all()) {
                const db = k.run.container("database");
                const aliases = unwrap<{ name: string; aliases: string[] }[]>(db.inputs.networksAdvanced)[0].aliases;
                assert.ok(aliases.includes(DATABASE_HOST), k.label);
                const url = new URL(envOf(k.run.container("backend")).DATABASE_URL);
                assert.equal(url.hostname, DATABASE_HOST, k.label);
                assert.equal(envOf(k.run.container("backup")).PGHOST, DATABASE_HOST, k.label);
            }
        });

        it("DB-03: a scheduled backup job dumps the database over the data network, encrypting to the age recipient", () => {
            for (const k of all()) {
                const job = k.run.container("backup");
                const env = envOf(job);
                assert.equal(env.BACKUP_SCHEDULE, k.config.backupSchedule, k.label);
                assert.ok(isAgeRecipient(env.BACKUP_AGE_RECIPIENT), `${k.label}: ${env.BACKUP_AGE_RECIPIENT}`);
                assert.deepEqual([env.PGHOST, env.PGPORT, env.PGDATABASE, env.PGUSER], [DATABASE_HOST, `${DATABASE_PORT}`, DATABASE_NAME, DATABASE_BACKUP_USER], k.label);
                // Its own read-only role and password, declared to the database; never the owner's (issue 13).
                const database = envOf(k.run.container("database"));
                assert.equal(database.POSTGRES_BACKUP_USER, DATABASE_BACKUP_USER, k.label);
                assert.equal(env.PGPASSWORD, database.POSTGRES_BACKUP_PASSWORD, k.label);
                assert.notEqual(env.PGPASSWORD, database.POSTGRES_PASSWORD, k.label);
                assert.notEqual(DATABASE_BACKUP_USER, DATABASE_USER);
                const generator = k.run.one(TYPES.randomPassword, (r) => r.outputs?.result === env.PGPASSWORD, "RandomPassword behind PGPASSWORD");
                assert.ok(Number(generator.inputs.length) >= 32, `${k.label}: length ${generator.inputs.length}`);
                assert.deepEqual(networksOf(job), [k.run.network("data").inputs.name], k.label);
                const volume = mountsOf(job).find((m) => m.target === BACKUP_DIR);
                assert.ok(volume && volume.readOnly === false && volume.source === `${k.run.stack}-backups`, k.label);
                assert.equal(env.BACKUP_DIR, BACKUP_DIR, k.label);
            }
            assert.equal(envOf(custom.run.container("backup")).BACKUP_SCHEDULE, CUSTOM_DEV.backupSchedule);
        });

        it("DB-04: postgres logs connections and disconnections", () => {
            for (const k of all()) {
                assert.equal(settings(k).log_connections, "on", k.label);
                assert.equal(settings(k).log_disconnections, "on", k.label);
            }
        });

        it("DB-05: off-site backups are encrypted with the stack's KMS key, and every backup is age-encrypted before it leaves", () => {
            const key = prod.run.one(TYPES.kmsKey, inPrimaryRegion);
            const bucket = prod.run.one(TYPES.bucket, (b) => unwrap(b.inputs.tags)?.[BACKUP_BUCKET_TAG.key] === BACKUP_BUCKET_TAG.value && inPrimaryRegion(b), "primary backup bucket");
            const sse = prod.run.one(TYPES.bucketSse, (r) => r.inputs.bucket === bucket.outputs?.bucket, "backup bucket encryption");
            const rule = unwrap(sse.inputs.rules)[0];
            assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            assert.equal(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId, key.outputs?.arn);
            assert.equal(envOf(prod.run.container("offsite-uploader")).S3_KMS_KEY_ARN, key.outputs?.arn);
            // Every bucket of the stack is encrypted at rest.
            for (const b of prod.run.byType(TYPES.bucket)) {
                assert.equal(prod.run.byType(TYPES.bucketSse).filter((s) => s.inputs.bucket === b.outputs?.bucket).length, 1, b.name);
            }
            for (const k of all()) {
                assert.ok(isAgeRecipient(envOf(k.run.container("backup")).BACKUP_AGE_RECIPIENT), k.label);
            }
        });

        it("DB-07: the database image enables pgcrypto", () => {
            for (const k of all()) {
                assert.ok(envOf(k.run.container("database")).POSTGRES_EXTENSIONS.split(",").includes("pgcrypto"), k.label);
            }
        });

        it("LOG-02: pgaudit is preloaded and audits writes and DDL, without logging statement parameters", () => {
            for (const k of all()) {
                const s = settings(k);
                assert.ok(s.shared_preload_libraries.split(",").includes("pgaudit"), k.label);
                const classes = s["pgaudit.log"].split(",");
                assert.ok(classes.includes("write") && classes.includes("ddl"), `${k.label}: pgaudit.log=${s["pgaudit.log"]}`);
                assert.equal(s["pgaudit.log_parameter"], "off", k.label);
                // Everything the program declares reaches the server's command line.
                assert.deepEqual(s, { ...POSTGRES_SETTINGS }, k.label);
            }
        });

        it("CMP-05: every data modification is audited: pgaudit is installed as an extension and logs writes", () => {
            for (const k of all()) {
                assert.ok(envOf(k.run.container("database")).POSTGRES_EXTENSIONS.split(",").includes("pgaudit"), k.label);
                assert.ok(settings(k)["pgaudit.log"].split(",").includes("write"), k.label);
            }
        });
    });

    // ---- backups --------------------------------------------------------------------------------------

    describe("backups", () => {
        it("BAK-01: the backup job holds only the age recipient; the identity is nowhere but in the restore drill", () => {
            for (const k of all()) {
                const job = envOf(k.run.container("backup"));
                const identity = envOf(k.run.container("restore-drill")).BACKUP_AGE_IDENTITY;
                assert.ok(isAgeIdentity(identity), k.label);
                assert.equal(job.BACKUP_AGE_RECIPIENT, ageRecipientFromIdentity(identity), `${k.label}: the drill could not open the job's backups`);
                assert.equal(job.BACKUP_AGE_RECIPIENT, k.run.outputs.backupAgeRecipient, k.label);
                const holders = k.run.containers().filter((c) => Object.values(envOf(c)).some((v) => /AGE-SECRET-KEY-/i.test(v))).map(serviceOf);
                assert.deepEqual(holders, ["restore-drill"], k.label);
            }
            assert.equal(envOf(prod.run.container("backup")).BACKUP_AGE_RECIPIENT, prod.run.cfg("backupAgeRecipient"));
        });

        it("BAK-02: the off-site bucket is KMS-encrypted, versioned, closed to the public and TLS-only; only the uploader reaches it", () => {
            const run = prod.run;
            const bucket = run.one(TYPES.bucket, (b) => unwrap(b.inputs.tags)?.[BACKUP_BUCKET_TAG.key] === BACKUP_BUCKET_TAG.value && inPrimaryRegion(b), "primary backup bucket");
            const name = bucket.outputs?.bucket;
            const of = (type: string) => run.one(type, (r) => r.inputs.bucket === name, `${type} of the backup bucket`);
            assert.equal(unwrap(of(TYPES.bucketVersioning).inputs.versioningConfiguration).status, "Enabled");
            assert.equal(unwrap(of(TYPES.bucketSse).inputs.rules)[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            const pab = of(TYPES.bucketPublicAccessBlock).inputs;
            assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
            const tls = statement(policyDoc(of(TYPES.bucketPolicy)), "DenyInsecureTransport");
            assert.equal(tls.Effect, "Deny");
            assert.equal(tls.Principal, "*");
            assert.equal(tls.Action, "s3:*");
            assert.equal(tls.Condition.Bool["aws:SecureTransport"], "false");
            assert.deepEqual(asList(tls.Resource).sort(), [bucket.outputs?.arn, `${bucket.outputs?.arn}/*`].sort());
            // The uploader is the only container that reaches the bucket, from the egress network alone.
            const uploader = run.container("offsite-uploader");
            assert.deepEqual(networksOf(uploader), [run.network("egress").inputs.name]);
            assert.equal(envOf(uploader).S3_BUCKET, name);
            assert.equal(run.network("egress").inputs.internal, false);
            const bucketHolders = run.containers().filter((c) => envOf(c).S3_BUCKET !== undefined).map(serviceOf);
            assert.deepEqual(bucketHolders, ["offsite-uploader"]);
            assert.equal(envOf(uploader).AWS_REGION, prod.config.offsiteBackup.region);
            assert.equal(mountsOf(uploader).find((m) => m.target === BACKUP_DIR)?.readOnly, true);
        });

        it("BAK-03: the restore drill has no network, holds the identity, reads the backups read-only and runs on the configured schedule", () => {
            for (const k of all()) {
                const drill = k.run.container("restore-drill");
                assert.equal(drill.inputs.networkMode, "none", k.label);
                assert.deepEqual(networksOf(drill), [], k.label);
                assert.deepEqual(portsOf(drill), [], k.label);
                const env = envOf(drill);
                assert.ok(isAgeIdentity(env.BACKUP_AGE_IDENTITY), k.label);
                assert.equal(env.DRILL_SCHEDULE, k.config.restoreDrillSchedule, k.label);
                const mounts = mountsOf(drill);
                const backups = mounts.find((m) => m.target === BACKUP_DIR);
                assert.ok(backups, k.label);
                assert.equal(backups.source, `${k.run.stack}-backups`, k.label);
                assert.equal(backups.readOnly, true, `${k.label}: the drill can write the backups`);
                assert.equal(mounts.find((m) => m.target === DRILL_REPORT_DIR)?.readOnly, false, k.label);
            }
            assert.equal(envOf(custom.run.container("restore-drill")).DRILL_SCHEDULE, CUSTOM_DEV.restoreDrillSchedule);
        });

        it("BAK-03: a generated key (dev) joins a keyring the drill alone mounts, on a volume `pulumi destroy` keeps; a configured key (prod) gets none", () => {
            // Field test B5: the key goes with the stack's state, the backups stay; without the keyring the next
            // `up` could not drill them.
            const generated = all().filter((k) => "generate" in k.config.backupAge);
            assert.deepEqual(generated.map((k) => k.label), [dev.label, custom.label]);
            for (const k of all()) {
                const name = drillKeysVolumeName(k.run.stack);
                const holders = k.run.containers().filter((c) => mountsOf(c).some((m) => m.source === name)).map(serviceOf);
                const env = envOf(k.run.container("restore-drill"));
                if (generated.includes(k)) {
                    assert.equal(k.run.optionsOf(k.run.volume(name)).retainOnDelete, true, k.label);
                    assert.deepEqual(holders, ["restore-drill"], k.label);
                    const mount = mountsOf(k.run.container("restore-drill")).find((m) => m.source === name);
                    assert.deepEqual([mount?.type, mount?.target, mount?.readOnly], ["volume", DRILL_KEYRING_DIR, false], k.label);
                    assert.equal(env.DRILL_KEYRING_DIR, DRILL_KEYRING_DIR, k.label);
                    assert.equal((k.run.outputs.volumes as Record<string, string>).drillKeys, name, k.label);
                } else {
                    assert.deepEqual(k.run.volumes().filter((v) => v.inputs.name === name), [], k.label);
                    assert.deepEqual(holders, [], k.label);
                    assert.equal(env.DRILL_KEYRING_DIR, undefined, k.label);
                    assert.equal((k.run.outputs.volumes as Record<string, string>).drillKeys, undefined, k.label);
                }
            }
        });

        it("BAK-04: local rotation keeps the configured daily/weekly/monthly backups and the bucket lifecycle outlives them", () => {
            for (const k of all()) {
                const env = envOf(k.run.container("backup"));
                const r = k.config.backupRetention;
                assert.deepEqual([env.BACKUP_KEEP_DAILY, env.BACKUP_KEEP_WEEKLY, env.BACKUP_KEEP_MONTHLY], [`${r.daily}`, `${r.weekly}`, `${r.monthly}`], k.label);
            }
            assert.equal(envOf(custom.run.container("backup")).BACKUP_KEEP_DAILY, `${custom.run.cfgJson("backupRetention").daily}`);
            const bucket = prod.run.one(TYPES.bucket, (b) => unwrap(b.inputs.tags)?.[BACKUP_BUCKET_TAG.key] === BACKUP_BUCKET_TAG.value && inPrimaryRegion(b), "primary backup bucket");
            const lifecycle = prod.run.one(TYPES.bucketLifecycle, (l) => l.inputs.bucket === bucket.outputs?.bucket, "backup bucket lifecycle");
            const rules = unwrap<Record<string, any>[]>(lifecycle.inputs.rules);
            assert.equal(rules.length, 1);
            const [rule] = rules;
            assert.equal(rule.status, "Enabled");
            const r = prod.config.backupRetention;
            // The oldest backup the local rotation keeps is a monthly one, up to 31 days per month old.
            const oldestKept = Math.max(r.daily, r.weekly * 7, r.monthly * 31);
            assert.ok(rule.expiration.days >= oldestKept, `lifecycle expires after ${rule.expiration.days} days, backups are kept ${oldestKept}`);
            assert.equal(rule.noncurrentVersionExpiration.noncurrentDays, prod.config.offsiteBackup.noncurrentVersionDays);
        });

        it("BAK-05: the bucket policy denies object access to every principal but the uploader, the replication and the configured admins", () => {
            const run = prod.run;
            const bucket = run.one(TYPES.bucket, (b) => unwrap(b.inputs.tags)?.[BACKUP_BUCKET_TAG.key] === BACKUP_BUCKET_TAG.value && inPrimaryRegion(b), "primary backup bucket");
            const policy = run.one(TYPES.bucketPolicy, (p) => p.inputs.bucket === bucket.outputs?.bucket, "backup bucket policy");
            const deny = statement(policyDoc(policy), "DenyUnlistedPrincipals");
            assert.equal(deny.Effect, "Deny");
            assert.equal(deny.Principal, "*");
            const actions = asList<string>(deny.Action);
            for (const action of ["s3:GetObject*", "s3:DeleteObject*", "s3:ListBucket*"]) {
                assert.ok(actions.includes(action), `does not deny ${action}`);
            }
            assert.deepEqual(asList(deny.Resource).sort(), [bucket.outputs?.arn, `${bucket.outputs?.arn}/*`].sort());
            const uploader = run.one(TYPES.iamUser);
            // With offsiteBackup.replica, S3 replication's role reads the backups too (test/infra/offsite-replica.test.ts).
            const replication = run.byType("aws:iam/role:Role").map((r) => r.outputs?.arn);
            assert.equal(replication.length, prod.config.offsiteBackup.replica ? 1 : 0);
            const allowed = asList<string>(deny.Condition.ArnNotEquals["aws:PrincipalArn"]).sort();
            assert.deepEqual(allowed, [uploader.outputs?.arn, ...replication, ...prod.config.offsiteBackup.adminPrincipalArns].sort());
        });

        it("BAK-06: the backup system has its own put-only identity, held by the uploader alone", () => {
            const run = prod.run;
            const user = run.one(TYPES.iamUser);
            const policies = run.byType(TYPES.iamUserPolicy);
            assert.equal(policies.length, 1);
            assert.equal(policies[0].inputs.user, user.outputs?.name);
            const doc = policyDoc(policies[0]);
            const bucket = run.one(TYPES.bucket, (b) => unwrap(b.inputs.tags)?.[BACKUP_BUCKET_TAG.key] === BACKUP_BUCKET_TAG.value && inPrimaryRegion(b), "primary backup bucket");
            const key = run.one(TYPES.kmsKey, inPrimaryRegion);
            const granted: string[] = [];
            for (const s of doc.Statement) {
                assert.equal(s.Effect, "Allow");
                for (const action of asList<string>(s.Action)) {
                    assert.ok(!/\*|Get|Delete|List|Restore/.test(action), `grants ${action}`);
                    granted.push(action);
                    const resources = asList<string>(s.Resource);
                    assert.deepEqual(resources, action.startsWith("s3:") ? [`${bucket.outputs?.arn}/*`] : [key.outputs?.arn], action);
                    // Decrypt (multipart under SSE-KMS) reads: only through S3 in the bucket's region, on this bucket.
                    if (action === "kms:Decrypt") {
                        assert.deepEqual(s.Condition, {
                            StringEquals: { "kms:ViaService": `s3.${prod.config.offsiteBackup.region}.amazonaws.com` },
                            StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucket.outputs?.arn, `${bucket.outputs?.arn}/*`] },
                        });
                    }
                }
            }
            assert.deepEqual(granted.sort(), [...BACKUP_IDENTITY_ACTIONS].sort());
            // The uploader may not delete or rewrite the rules either.
            const noDelete = statement(policyDoc(run.one(TYPES.bucketPolicy, (p) => p.inputs.bucket === bucket.outputs?.bucket)), "UploaderCannotDelete");
            assert.equal(noDelete.Effect, "Deny");
            assert.equal(noDelete.Principal.AWS, user.outputs?.arn);
            // Its access key is in the uploader's env and in no other container; the uploader has no database password.
            const accessKey = run.one(TYPES.accessKey);
            assert.equal(accessKey.inputs.user, user.outputs?.name);
            const keyHolders = run.containers().filter((c) => envOf(c).AWS_ACCESS_KEY_ID !== undefined || envOf(c).AWS_SECRET_ACCESS_KEY !== undefined);
            assert.deepEqual(keyHolders.map(serviceOf), ["offsite-uploader"]);
            const uploaderEnv = envOf(run.container("offsite-uploader"));
            assert.equal(uploaderEnv.AWS_ACCESS_KEY_ID, accessKey.outputs?.id);
            assert.equal(uploaderEnv.AWS_SECRET_ACCESS_KEY, accessKey.outputs?.secret);
            assert.equal(uploaderEnv.PGPASSWORD, undefined);
            assert.ok(!Object.values(uploaderEnv).includes(envOf(run.container("database")).POSTGRES_PASSWORD));
        });

        describe("BAK-06: the uploader's access key rotates without downtime (offsiteBackup.accessKeys)", () => {
            // The URN the single key had before rotation existed: a stack upgraded with the default config keeps it.
            const FIRST_KEY_URN = "urn:pulumi:prod::bulwark::bulwark:stack:BulwarkStack$bulwark:stack:OffsiteBackup$aws:iam/accessKey:AccessKey::offsite-uploader-key";
            const withGenerations = (accessKeys: unknown): ConfigMap => {
                const offsite = JSON.parse(stackFileConfig("prod").offsiteBackup!) as Record<string, unknown>;
                return { offsiteBackup: JSON.stringify({ ...offsite, accessKeys }) };
            };
            /** The uploader's key as its env names it, and the secretness of its secret. */
            const uploaderKey = (run: StackRun) => {
                const uploader = run.container("offsite-uploader");
                const entries = (uploader.inputs.envs as unknown[]) ?? [];
                const secretEntry = entries.find((e) => String(unwrap(e)).startsWith("AWS_SECRET_ACCESS_KEY="));
                return { id: envOf(uploader).AWS_ACCESS_KEY_ID, secret: envOf(uploader).AWS_SECRET_ACCESS_KEY, secretIsSecret: isSecret(secretEntry) || isSecret(uploader.inputs.envs), env: envOf(uploader) };
            };
            const keysOf = (run: StackRun) => run.byType(TYPES.accessKey);

            it("BAK-06: the default (no offsiteBackup.accessKeys) registers one key, with the URN the single key always had", () => {
                assert.equal(prod.config.offsiteBackup.accessKeys.length, 1);
                const keys = keysOf(prod.run);
                assert.deepEqual(keys.map((k) => k.urn), [FIRST_KEY_URN]);
                assert.equal(uploaderKey(prod.run).id, keys[0].outputs?.id);
            });

            it("BAK-06: two generations are two keys of the uploader's user; the uploader signs with the second, its secret kept secret", async () => {
                const run = await runStack("prod", withGenerations(["1", "2"]));
                const keys = keysOf(run);
                assert.deepEqual(keys.map((k) => k.name), ["offsite-uploader-key", "offsite-uploader-key-2"]);
                assert.equal(keys[0].urn, FIRST_KEY_URN);
                const user = run.one(TYPES.iamUser);
                assert.ok(keys.every((k) => k.inputs.user === user.outputs?.name));
                const used = uploaderKey(run);
                assert.equal(used.id, keys[1].outputs?.id);
                assert.notEqual(used.id, keys[0].outputs?.id);
                assert.equal(used.secret, keys[1].outputs?.secret);
                assert.ok(used.secretIsSecret, "AWS_SECRET_ACCESS_KEY must stay a secret");
                // The generation name may also be a number, as `pulumi config set --path 'offsiteBackup.accessKeys[1]' 2` stores it.
                const numeric = await runStack("prod", withGenerations([1, 2]));
                assert.deepEqual(keysOf(numeric).map((k) => k.urn), keys.map((k) => k.urn));
            });

            it("BAK-06: three generations are refused before anything is deployed (IAM allows two keys per user)", async () => {
                const result = await runProgram(stackInput("prod", withGenerations(["1", "2", "3"])));
                assert.ok(result.error instanceof ConfigError, `expected a ConfigError, got ${String(result.error)}`);
                assert.deepEqual(result.error.problems.map((p) => p.key), ["offsiteBackup.accessKeys"]);
                assert.equal(result.resources.filter((r) => r.type === TYPES.accessKey).length, 0);
            });

            it("BAK-06: a rotation never leaves the uploader without a valid key", async () => {
                // Step 1 appends a generation, step 2 drops the old one; each state is what `pulumi up` converges to.
                const states = [prod.run, await runStack("prod", withGenerations(["1", "2"])), await runStack("prod", withGenerations(["2"]))];
                for (const [i, state] of states.entries()) {
                    assert.ok(keysOf(state).length >= 1, `state ${i} has no access key`);
                    assert.ok(keysOf(state).some((k) => k.outputs?.id === uploaderKey(state).id), `state ${i}: the uploader's key is not one of the stack's`);
                }
                for (const [step, [before, after]] of [[states[0], states[1]], [states[1], states[2]]].entries()) {
                    const urns = (run: StackRun) => new Set(keysOf(run).map((k) => k.urn));
                    const usedUrn = (run: StackRun) => keysOf(run).find((k) => k.outputs?.id === uploaderKey(run).id)!.urn;
                    // The key the uploader used before the step is still there after it (so the running uploader keeps
                    // working until it is replaced), and the key it uses after the step existed before it or is created
                    // by the step: nothing the uploader holds is deleted by that same `pulumi up`.
                    assert.ok(urns(after).has(usedUrn(before)), `step ${step + 1} deletes the key the uploader was using`);
                    assert.ok([...urns(before)].every((u) => urns(after).has(u)) || urns(before).has(usedUrn(after)), `step ${step + 1} both switches and deletes`);
                }
                // Step 2 only deletes: the uploader keeps its key and is not restarted.
                assert.deepEqual(uploaderKey(states[2]).env, uploaderKey(states[1]).env);
                assert.deepEqual(keysOf(states[2]).map((k) => k.urn), [keysOf(states[1])[1].urn]);
            });
        });

        it("BAK-07: access to the backup bucket is logged to a separate, closed, TLS-only log bucket", () => {
            const run = prod.run;
            const bucket = run.one(TYPES.bucket, (b) => unwrap(b.inputs.tags)?.[BACKUP_BUCKET_TAG.key] === BACKUP_BUCKET_TAG.value && inPrimaryRegion(b), "primary backup bucket");
            const logging = run.one(TYPES.bucketLogging, inPrimaryRegion);
            assert.equal(logging.inputs.bucket, bucket.outputs?.bucket);
            const logBucket = run.one(TYPES.bucket, (b) => b.outputs?.bucket === logging.inputs.targetBucket, "log bucket");
            assert.notEqual(logBucket.urn, bucket.urn);
            const pab = run.one(TYPES.bucketPublicAccessBlock, (r) => r.inputs.bucket === logBucket.outputs?.bucket).inputs;
            assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
            const doc = policyDoc(run.one(TYPES.bucketPolicy, (p) => p.inputs.bucket === logBucket.outputs?.bucket));
            assert.equal(statement(doc, "DenyInsecureTransport").Effect, "Deny");
            const delivery = statement(doc, "S3ServerAccessLogDelivery");
            assert.deepEqual(delivery.Principal, { Service: "logging.s3.amazonaws.com" });
            assert.equal(delivery.Condition.ArnLike["aws:SourceArn"], bucket.outputs?.arn);
        });

        it("CMP-01: retention is declared and enforced: local backup rotation, bucket and access-log lifecycles, container log rotation", () => {
            for (const k of all()) {
                const env = envOf(k.run.container("backup"));
                for (const name of ["BACKUP_KEEP_DAILY", "BACKUP_KEEP_WEEKLY", "BACKUP_KEEP_MONTHLY"]) {
                    assert.match(env[name] ?? "", /^\d+$/, `${k.label}: ${name}`);
                }
                for (const c of k.run.containers()) {
                    assert.ok(unwrap(c.inputs.logOpts)?.["max-file"], `${k.label}/${serviceOf(c)}`);
                }
            }
            const lifecycles = prod.run.byType(TYPES.bucketLifecycle);
            for (const b of prod.run.byType(TYPES.bucket)) {
                const lifecycle = lifecycles.find((l) => l.inputs.bucket === b.outputs?.bucket);
                assert.ok(lifecycle, `${b.name} has no lifecycle`);
                const rule = unwrap(lifecycle.inputs.rules)[0];
                assert.equal(rule.status, "Enabled", b.name);
                assert.ok(rule.expiration.days > 0 && rule.noncurrentVersionExpiration.noncurrentDays > 0, b.name);
            }
        });

        it("DB-03: with backupVolumeHostPath the backups volume binds the operator's own filesystem; without it, a plain local volume", () => {
            const volumeOf = (k: Case) => k.run.volumes().find((v) => v.inputs.name === `${k.run.stack}-backups`);
            const bound = volumeOf(custom);
            assert.ok(bound, "no backups volume");
            assert.equal(bound.inputs.driver, "local");
            assert.deepEqual(unwrap(bound.inputs.driverOpts), { type: "none", o: "bind", device: CUSTOM_DEV.backupVolumeHostPath });
            assert.equal(custom.run.optionsOf(bound).retainOnDelete, true);
            for (const k of [dev, prod]) {
                assert.equal(volumeOf(k)?.inputs.driverOpts, undefined, k.label);
            }
        });

        it("data volumes are retained on delete, and protected in prod; the prod bucket, log bucket and KMS key are protected", () => {
            for (const k of all()) {
                // The drill's scratch holds no data of record: each drill empties it, and a destroy removes it.
                const scratch = k.run.volumes().filter((v) => v.inputs.name === drillScratchVolumeName(k.run.stack));
                assert.equal(scratch.length, 1, `${k.label}: the drill's scratch volume`);
                const scratchOpts = k.run.optionsOf(scratch[0]);
                assert.ok(!scratchOpts.protect && !scratchOpts.retainOnDelete, `${k.label}: the scratch volume is neither protected nor retained`);
                for (const v of k.run.volumes().filter((x) => !scratch.includes(x))) {
                    const opts = k.run.optionsOf(v);
                    assert.equal(opts.retainOnDelete, true, `${k.label}/${v.inputs.name}: not retained`);
                    assert.equal(opts.protect, k.config.environment === "prod", `${k.label}/${v.inputs.name}: protect`);
                }
                const volumeNames = k.run.volumes().map((v) => v.inputs.name);
                for (const name of ["pgdata", "backups", "drill-reports"]) {
                    assert.ok(volumeNames.includes(`${k.run.stack}-${name}`), `${k.label}: no volume ${name}`);
                }
            }
            for (const r of [...prod.run.byType(TYPES.bucket), ...prod.run.byType(TYPES.kmsKey)]) {
                assert.deepEqual(prod.run.optionsOf(r), { protect: true, retainOnDelete: true }, r.name);
                assert.equal(r.inputs.forceDestroy ?? false, false, r.name);
            }
            assert.ok(prod.run.one(TYPES.kmsKey, inPrimaryRegion).inputs.enableKeyRotation, "KMS key rotation");
        });
    });

    // ---- secrets ----------------------------------------------------------------------------------------

    describe("secrets", () => {
        it("SEC-01: SECRET_KEY_BASE, JWT_SECRET, POSTGRES_PASSWORD and DATABASE_URL come from generated random resources", () => {
            for (const k of all()) {
                const backend = envOf(k.run.container("backend"));
                const bytes = k.run.byType(TYPES.randomBytes);
                const skb = bytes.find((b) => b.outputs?.hex === backend.SECRET_KEY_BASE);
                assert.ok(skb, `${k.label}: SECRET_KEY_BASE is not a RandomBytes' hex`);
                assert.equal(skb.inputs.length, SECRET_LENGTHS.secretKeyBaseBytes, k.label);
                const jwt = bytes.find((b) => b.outputs?.hex === backend.JWT_SECRET);
                assert.ok(jwt, `${k.label}: JWT_SECRET is not a RandomBytes' hex`);
                assert.notEqual(jwt.urn, skb.urn, `${k.label}: one generator for two secrets`);
                const password = envOf(k.run.container("database")).POSTGRES_PASSWORD;
                assert.ok(k.run.one(TYPES.randomPassword, (r) => r.outputs?.result === password, "RandomPassword behind POSTGRES_PASSWORD"), k.label);
                assert.equal(backend.DATABASE_URL, `postgres://${DATABASE_USER}:${password}@${DATABASE_HOST}:${DATABASE_PORT}/${DATABASE_NAME}`, k.label);
            }
        });

        it("SEC-01: GOOGLE_CLIENT_SECRET is the secret config value, and is absent when not configured", () => {
            assert.equal(envOf(prod.run.container("backend")).GOOGLE_CLIENT_SECRET, prod.run.input.secrets!.googleClientSecret);
            assert.ok(prod.run.input.secretKeys.includes("googleClientSecret"));
            assert.equal(envOf(custom.run.container("backend")).GOOGLE_CLIENT_SECRET, CUSTOM_DEV.googleClientSecret);
            assert.equal(envOf(dev.run.container("backend")).GOOGLE_CLIENT_SECRET, undefined);
        });

        it("SEC-01: loadConfig refuses googleClientSecret, tlsPrivateKey and backupAgeIdentity in plain text", () => {
            for (const key of ["googleClientSecret", "tlsPrivateKey", "backupAgeIdentity"]) {
                const input = prod.run.input;
                const secretKeys = input.secretKeys.filter((s) => s !== key);
                assert.throws(
                    () => loadConfig(mapSource(input.stack, input.config, secretKeys)),
                    (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.key === key && /SEC-01/.test(p.message)),
                    key,
                );
            }
        });

        it("SEC-01: no infra source assigns a literal to a secret variable", () => {
            const dir = path.join(PROJECT_DIR, "infra");
            const files = [dir, path.join(dir, "components")].flatMap((d) =>
                fs.readdirSync(d).filter((f) => f.endsWith(".ts")).map((f) => path.join(d, f)),
            );
            assert.ok(files.length > 5);
            const literal = /\b(SECRET_KEY_BASE|JWT_SECRET|POSTGRES_PASSWORD|PGPASSWORD|GOOGLE_CLIENT_SECRET|DATABASE_URL|AWS_SECRET_ACCESS_KEY|BACKUP_AGE_IDENTITY)\s*[:=]\s*["'`]/;
            for (const file of files) {
                const text = fs.readFileSync(file, "utf8");
                assert.doesNotMatch(text, literal, path.relative(PROJECT_DIR, file));
                assert.doesNotMatch(text, /AGE-SECRET-KEY-1[0-9A-Z]{50,}/, path.relative(PROJECT_DIR, file));
            }
        });

        it("SEC-02: the generators are strong: 64 random bytes for Rails (128 hex), >= 32 bytes for JWT, >= 32 characters for the database", () => {
            assert.equal(SECRET_LENGTHS.secretKeyBaseBytes, 64);
            assert.ok(SECRET_LENGTHS.jwtSecretBytes >= 32);
            assert.ok(SECRET_LENGTHS.databasePasswordChars >= 32);
            for (const k of all()) {
                const backend = envOf(k.run.container("backend"));
                assert.match(backend.SECRET_KEY_BASE, new RegExp(`^[0-9a-f]{${SECRET_LENGTHS.secretKeyBaseBytes * 2}}$`), k.label);
                assert.match(backend.JWT_SECRET, new RegExp(`^[0-9a-f]{${SECRET_LENGTHS.jwtSecretBytes * 2}}$`), k.label);
                const lengths = k.run.byType(TYPES.randomBytes).map((b) => Number(b.inputs.length));
                assert.ok(lengths.includes(SECRET_LENGTHS.secretKeyBaseBytes), k.label);
                assert.ok(lengths.every((n) => n >= 32), `${k.label}: ${lengths}`);
                // The owner's and the backup role's.
                const passwords = k.run.byType(TYPES.randomPassword);
                assert.equal(passwords.length, 2, k.label);
                for (const password of passwords) {
                    assert.equal(password.inputs.length, SECRET_LENGTHS.databasePasswordChars, k.label);
                }
                const db = envOf(k.run.container("database"));
                assert.equal(db.POSTGRES_PASSWORD.length, SECRET_LENGTHS.databasePasswordChars, k.label);
                assert.equal(db.POSTGRES_BACKUP_PASSWORD.length, SECRET_LENGTHS.databasePasswordChars, k.label);
            }
        });

        it("SEC-03: secret stack outputs are secret, and no other output carries a secret value", () => {
            for (const k of all()) {
                const { outputs, input } = k.run;
                assert.ok(outputs.databasePassword instanceof SecretValue, `${k.label}: databasePassword is not secret`);
                assert.ok(outputs.backupAgeIdentity instanceof SecretValue, `${k.label}: backupAgeIdentity is not secret`);
                assert.equal(outputs.databasePassword.value, envOf(k.run.container("database")).POSTGRES_PASSWORD, k.label);
                assert.equal(outputs.backupAgeIdentity.value, envOf(k.run.container("restore-drill")).BACKUP_AGE_IDENTITY, k.label);
                const secrets = secretValues(k);
                assert.ok(secrets.length >= 4, k.label);
                for (const [name, value] of Object.entries(outputs)) {
                    if (value instanceof SecretValue) continue;
                    for (const s of stringsIn(value)) {
                        for (const secret of secrets) {
                            assert.ok(!s.includes(secret), `${k.label}: output ${name} carries a secret value`);
                        }
                    }
                }
                if (input.secrets) {
                    assert.equal(outputs.backupAgeRecipient, input.secrets.backupAgeRecipient, k.label);
                }
            }
        });

        it("SEC-03: every container whose env holds a secret has its env marked secret, so the state encrypts it", () => {
            for (const k of all()) {
                const secrets = secretValues(k);
                let holders = 0;
                for (const c of k.run.containers()) {
                    // The engine keeps secretness per value: the list, or each entry that holds a secret, is marked.
                    const entries: unknown[] = isSecret(c.inputs.envs) ? [] : (c.inputs.envs as unknown[] | undefined) ?? [];
                    const plain = entries.filter((e) => !isSecret(e) && secrets.some((s) => String(e).includes(s)));
                    if (Object.values(envOf(c)).some((v) => secrets.some((s) => v.includes(s)))) {
                        holders++;
                        assert.deepEqual(plain.map((e) => String(e).split("=")[0]), [], `${k.label}/${serviceOf(c)}: secret env stored in plain text`);
                    }
                }
                assert.ok(holders >= 4, `${k.label}: only ${holders} containers hold secrets`);
            }
            const secretEntry = (service: string, name: string) =>
                ((prod.run.container(service).inputs.envs as unknown[]) ?? []).some((e) => isSecret(e) && String(unwrap(e)).startsWith(`${name}=`));
            assert.ok(secretEntry("proxy", "TLS_PRIVATE_KEY_PEM"), "the proxy's TLS key");
            assert.ok(secretEntry("offsite-uploader", "AWS_SECRET_ACCESS_KEY"), "the uploader's AWS key");
        });
    });

    /** Every secret value of a run: generated ones (from the random resources), secret config and AWS keys. */
    function secretValues(k: Case): string[] {
        const run = k.run;
        const generated = [
            ...run.byType(TYPES.randomBytes).map((b) => String(b.outputs?.hex)),
            ...run.byType(TYPES.randomPassword).map((p) => String(p.outputs?.result)),
            ...run.byType(TYPES.accessKey).map((a) => String(a.outputs?.secret)),
            envOf(run.container("restore-drill")).BACKUP_AGE_IDENTITY,
        ];
        const fromConfig = run.input.secretKeys.map((key) => run.input.config[key]!).filter((v) => v !== undefined);
        return [...generated, ...fromConfig];
    }

    describe("catalog coverage", () => {
        it("every control this suite owns (expected in infra or test) has a passing test named after it", function () {
            let suite = this.test!.parent!;
            while (suite.parent && !suite.parent.root) {
                suite = suite.parent;
            }
            const titles: string[] = [];
            const walk = (s: Mocha.Suite) => {
                titles.push(...s.tests.filter((t) => !t.isPending()).map((t) => t.title));
                s.suites.forEach(walk);
            };
            walk(suite);
            const owned = CONTROLS.filter((c) => (c.expected as readonly string[]).some((l) => l === "infra" || l === "test")).filter((c) => !NOT_OWNED.has(c.id));
            const missing = owned.filter((c) => !titles.some((t) => t.startsWith(`${c.id}:`))).map((c) => c.id);
            assert.deepEqual(missing, []);
        });
    });
});
