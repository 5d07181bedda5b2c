// Adversarial class "unknown at preview = pass" (issue 22): a violating value computed through `.apply` on another
// resource's output is unknown in a preview of a new stack, and the pack must refuse it there (fail closed) as
// well as in an update, where the value is known. Generated: every (field, violating value) below, each written
// whole or with the unknown deep inside it where the field has structure, times every mechanism that makes a value
// unknown in a preview. Programs switched on `pulumi.runtime.isDryRun()` are benign in the preview and violating in
// the update: a resource policy must refuse them in the update, so `pulumi up` stops before the step.
import * as assert from "node:assert/strict";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { sharedAnalyzer } from "../../tools/analyzer/judge";
import { runUnderMocks } from "../../tools/mocks/runtime";
import { Breaks, compliantStack, ContainerPatch, Service } from "../fixtures/lib/compliant-stack";
import { Attack, describeAttacks, mandatoryAgainst } from "./harness";

type Derive = <T>(value: T) => pulumi.Output<T>;

/** A way to make a value unknown in a preview and equal to `value` in an update. */
interface Mechanism {
    readonly name: string;
    /** Called once per program run: the resources it reads are registered on first use within that run. */
    readonly start: () => Derive;
}

function once<R>(make: () => R): () => R {
    let made: { value: R } | undefined;
    return () => (made ??= { value: make() }).value;
}

const MECHANISMS: readonly Mechanism[] = [
    {
        name: "a RandomId's hex",
        start: () => {
            const id = once(() => new random.RandomId("salt", { byteLength: 8 }));
            return (value) => id().hex.apply(() => value);
        },
    },
    {
        name: "a Network's id",
        start: () => {
            const network = once(() => new docker.Network("scratch", { name: "fixture-scratch", internal: true }));
            return (value) => network().id.apply(() => value);
        },
    },
    {
        name: "pulumi.all of a RandomPassword's result and a Network's id",
        start: () => {
            const password = once(() => new random.RandomPassword("noise", { length: 40, special: false }));
            const network = once(() => new docker.Network("scratch", { name: "fixture-scratch", internal: true }));
            return (value) => pulumi.all([password().result, network().id]).apply(() => value);
        },
    },
];



/** One violating change: which resource it blames and the program change, given how to make a value unknown. */
interface Variant {
    readonly name: string;
    readonly blame: string;
    readonly breaks: (u: Derive) => Breaks;
    /** Resources added after the compliant stack. */
    readonly extra?: (u: Derive) => void;
}

const container = (service: Service, patch: (u: Derive) => ContainerPatch) => (u: Derive): Breaks => ({ container: { [service]: patch(u) } });

const VARIANTS: readonly Variant[] = [
    { name: "privileged", blame: "backend", breaks: container("backend", (u) => ({ privileged: u(true) })) },
    { name: "ports (whole list) published by the database", blame: "database", breaks: container("database", (u) => ({ ports: u([{ internal: 5432, external: 5432 }]) })) },
    { name: "ports[0].external on the database", blame: "database", breaks: container("database", (u) => ({ ports: [{ internal: 5432, external: u(5432) }] })) },
    { name: "ports[1].ip of the proxy: every interface", blame: "proxy", breaks: container("proxy", (u) => ({ ports: [{ internal: 8443, external: 443, ip: "127.0.0.1" }, { internal: 8080, external: 80, ip: u("0.0.0.0") }] })) },
    { name: "user root", blame: "backend", breaks: container("backend", (u) => ({ user: u("0:0") })) },
    { name: "readOnly false", blame: "backend", breaks: container("backend", (u) => ({ readOnly: u(false) })) },
    { name: "networkMode host", blame: "backend", breaks: container("backend", (u) => ({ networkMode: u("host") })) },
    { name: "pidMode host", blame: "backend", breaks: container("backend", (u) => ({ pidMode: u("host") })) },
    { name: "capabilities (whole) add SYS_ADMIN", blame: "backend", breaks: container("backend", (u) => ({ capabilities: u({ adds: ["SYS_ADMIN"], drops: ["ALL"] }) })) },
    { name: "capabilities.adds[0] SYS_ADMIN", blame: "backend", breaks: container("backend", (u) => ({ capabilities: { adds: [u("SYS_ADMIN")], drops: ["ALL"] } })) },
    { name: "capabilities.drops[0] not ALL", blame: "backend", breaks: container("backend", (u) => ({ capabilities: { drops: [u("NET_RAW")] } })) },
    { name: "securityOpts (whole) without no-new-privileges", blame: "backend", breaks: container("backend", (u) => ({ securityOpts: u(["seccomp=unconfined"]) })) },
    { name: "securityOpts[0] no-new-privileges:false", blame: "backend", breaks: container("backend", (u) => ({ securityOpts: [u("no-new-privileges:false")] })) },
    { name: "memory unlimited", blame: "backend", breaks: container("backend", (u) => ({ memory: u(0) })) },
    { name: "logDriver none", blame: "backend", breaks: container("backend", (u) => ({ logDriver: u("none") })) },
    { name: "cgroupParent of the host", blame: "backend", breaks: container("backend", (u) => ({ cgroupParent: u("/") })) },
    { name: "image unpinned", blame: "backend", breaks: container("backend", (u) => ({ image: u("bulwark/backend:latest") })) },
    { name: "mounts[0].source the Docker socket", blame: "backend", breaks: container("backend", (u) => ({ mounts: [{ type: "bind", target: "/var/run/docker.sock", source: u("/var/run/docker.sock") }] })) },
    { name: "devices[0] the host's memory", blame: "backend", breaks: container("backend", (u) => ({ devices: [{ hostPath: u("/dev/mem") }] })) },
    { name: "envs CORS_ORIGINS=*", blame: "backend", breaks: (u) => ({ env: { backend: { CORS_ORIGINS: u("*") } } }) },
    { name: "envs RAILS_FORCE_SSL=false", blame: "backend", breaks: (u) => ({ env: { backend: { RAILS_FORCE_SSL: u("false") } } }) },
    { name: "envs BACKUP_SCHEDULE empty", blame: "backup", breaks: (u) => ({ env: { backup: { BACKUP_SCHEDULE: u("") } } }) },
    { name: "envs BACKUP_AGE_RECIPIENT not a public key", blame: "backup", breaks: (u) => ({ env: { backup: { BACKUP_AGE_RECIPIENT: u("AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ") } } }) },
    { name: "envs SECRET_KEY_BASE short", blame: "backend", breaks: (u) => ({ env: { backend: { SECRET_KEY_BASE: u("0123456789abcdef") } } }) },
    { name: "the data network's internal false", blame: "data", breaks: (u) => ({ dataInternal: u(false) as unknown as boolean }) },
    {
        name: "a volume's driverOpts (whole) bind /etc",
        blame: "etc-volume",
        breaks: () => ({}),
        extra: (u) => new docker.Volume("etc-volume", { name: "fixture-etc", driverOpts: u({ type: "none", o: "bind", device: "/etc" }) }),
    },
    {
        name: "a volume's driverOpts.device /etc",
        blame: "etc-volume",
        breaks: () => ({}),
        extra: (u) => new docker.Volume("etc-volume", { name: "fixture-etc", driverOpts: { type: "none", o: "bind", device: u("/etc") } }),
    },
    {
        name: "a network's internal false joined by the database",
        blame: "db-side",
        breaks: container("database", () => ({ networksAdvanced: [{ name: "fixture-data", aliases: ["database"] }, { name: "fixture-db-side" }] })),
        extra: (u) => new docker.Network("db-side", { name: "fixture-db-side", internal: u(false) }),
    },
];

const attacks: Attack[] = VARIANTS.flatMap((variant) =>
    MECHANISMS.map((mechanism) => ({
        name: `${variant.name}, computed from ${mechanism.name}`,
        blame: variant.blame,
        program: () => {
            const derive = mechanism.start();
            compliantStack(variant.breaks(derive));
            variant.extra?.(derive);
        },
    })),
);

describeAttacks("unknowns", attacks);

// ---- switched on isDryRun: benign in a preview, violating in the update ---------------------------------

/** The container change of a variant with its value plain, applied only when not a preview. */
const DRY_RUN_SWITCHED: readonly { name: string; blame: string; patch: ContainerPatch; service: Service }[] = [
    { name: "privileged", blame: "backend", service: "backend", patch: { privileged: true } },
    { name: "ports published by the database", blame: "database", service: "database", patch: { ports: [{ internal: 5432, external: 5432 }] } },
    { name: "user root", blame: "backend", service: "backend", patch: { user: "0:0" } },
    { name: "networkMode host", blame: "backend", service: "backend", patch: { networkMode: "host" } },
    { name: "capabilities add SYS_ADMIN", blame: "backend", service: "backend", patch: { capabilities: { adds: ["SYS_ADMIN"], drops: ["ALL"] } } },
    { name: "readOnly false", blame: "backend", service: "backend", patch: { readOnly: false } },
];

const dryRunAttacks: Attack[] = DRY_RUN_SWITCHED.map((s) => ({
    name: `${s.name}, only when not a preview (isDryRun)`,
    blame: s.blame,
    modes: ["update"],
    program: () => compliantStack(pulumi.runtime.isDryRun() ? {} : { container: { [s.service]: s.patch } }),
}));

describeAttacks("unknowns (isDryRun-switched)", dryRunAttacks);

describe("adversarial: unknowns (isDryRun-switched) are refused by a resource policy, before the step", () => {
    for (const attack of dryRunAttacks) {
        it(`${attack.name}: Analyze alone (no stack policy) refuses it in the update`, async () => {
            const run = await runUnderMocks(attack.program, { project: "bulwark", stack: "dev", preview: false });
            const result = await (await sharedAnalyzer()).evaluate(run.resources, { stack: "dev", project: "bulwark", preview: false }, { stack: false });
            assert.ok(mandatoryAgainst(result, attack.blame).length > 0, JSON.stringify(result.violations.map((v) => [v.policy, v.urn])));
        });
    }
});

// ---- the messages say which value and how to make it known ---------------------------------------------

describe("adversarial: unknowns, the refusal's message", () => {
    it("names the field, the resource and the fix, and is listed again as a 'refused' undecided check", async () => {
        const run = await runUnderMocks(() => compliantStack({ container: { backend: { privileged: MECHANISMS[0].start()(true) } } }), {
            project: "bulwark",
            stack: "dev",
            preview: true,
        });
        const result = await (await sharedAnalyzer()).evaluate(run.resources, { stack: "dev", project: "bulwark", preview: true });
        const refusal = result.violations.find((v) => v.policy === "container-no-privileged");
        assert.ok(refusal, JSON.stringify(result.violations));
        assert.equal(refusal.level, "mandatory");
        assert.match(refusal.message, /^unknown in preview: privileged of urn:pulumi:dev::bulwark::(\S+\$)?docker:index\/container:Container::backend — /);
        assert.match(refusal.message, /literal/);
        assert.match(refusal.message, /stack config/);
        assert.deepEqual(
            result.inconclusive.filter((i) => i.policy === "container-no-privileged").map((i) => [i.field, i.kind, i.level, i.urn?.split("::").pop()]),
            [["privileged", "refused", "mandatory", "backend"]],
        );
        // @pulumi/policy's "can't run" path is never taken: the pack reads raw props.
        assert.deepEqual(result.inconclusive.filter((i) => i.kind === "cant-run"), []);
    });
});
