// Parse as the engine parses (issue 22, item 3): each attack spells a forbidden value the way Docker reads it but
// a string match would not: the any-address in IPv6 and mapped forms, sensitive host paths through "..", "//" and
// the host's symlinks in every field Docker binds from, security options that switch confinement off, env lists
// whose last entry or untrimmed name says something else, CPU quota/period pairs above the bound, and root in
// every user and group spelling. The spellings are the ones the parsers' unit tests use (test/policies/lib/spellings.ts).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { compliantStack, ContainerPatch } from "../fixtures/lib/compliant-stack";
import { ANY_ADDRESS_SPELLINGS, OVERSIZED_CPU_PAIRS, REFUSED_SECURITY_OPTS, ROOT_USER_SPELLINGS, SENSITIVE_SPELLINGS } from "../policies/lib/spellings";
import { Attack, describeAttacks } from "./harness";

const onBackend = (patch: ContainerPatch) => () => compliantStack({ container: { backend: patch } });

// The published port's ip: every spelling of the any-address, on the proxy, with no publishAddress set ...
const addresses: Attack[] = ANY_ADDRESS_SPELLINGS.map((ip) => ({
    name: `the proxy publishes 443 on '${ip}'`,
    blame: "proxy",
    program: () => compliantStack({ container: { proxy: { ports: [{ internal: 8443, external: 443, ip }] } } }),
}));
// ... and through the stack's publishAddress, which alone cannot widen the exposure (allowWildcardAddress unset).
const configured: Attack[] = ["::", "[::]", "::ffff:0.0.0.0", "0:0:0:0:0:0:0:0", "::ffff:0:0"].map((ip) => ({
    name: `bulwark:publishAddress '${ip}' and the proxy's ports on it`,
    blame: "proxy",
    config: { "bulwark:publishAddress": ip },
    program: () => compliantStack({ container: { proxy: { ports: [{ internal: 8443, external: 443, ip }, { internal: 8080, external: 80, ip }] } } }),
}));

// Host paths in every field Docker binds from. Nine spellings per field keeps the suite's time bounded; the unit
// test runs all of them through the parser.
const PATHS = SENSITIVE_SPELLINGS.filter((_, i) => i % 4 === 0);
const BIND_FIELDS: Record<string, (p: string) => ContainerPatch> = {
    "a bind mount": (p) => ({ mounts: [{ type: "bind", source: p, target: "/host" }] }),
    "volumes[].hostPath": (p) => ({ volumes: [{ hostPath: p, containerPath: "/host" }] }),
    "volumes[].volumeName": (p) => ({ volumes: [{ volumeName: p, containerPath: "/host" }] }),
    "a volume mount's driver options": (p) => ({
        mounts: [{ type: "volume", source: "scratch", target: "/host", volumeOptions: { driverOptions: { type: "none", o: "bind", device: p } } }],
    }),
};
const paths: Attack[] = Object.entries(BIND_FIELDS).flatMap(([field, patch]) =>
    PATHS.map((p) => ({ name: `the backend binds '${p}' through ${field}`, blame: "backend", program: onBackend(patch(p)) })),
);
// With the stack's backup directory set: a path that leaves it, and a docker.Volume binding a host path.
const BACKUP_DIR = { "bulwark:backupVolumeHostPath": "/srv/bulwark-backups" };
const escapes: Attack[] = ["/srv/bulwark-backups/../../etc", "/srv/bulwark-backups/../bulwark-backups-old", "/srv/bulwark-backups2", "/srv/bulwark-backups/../../var/run/docker.sock"].map((p) => ({
    name: `with a backup directory, the backend binds '${p}'`,
    blame: "backend",
    config: BACKUP_DIR,
    program: onBackend({ mounts: [{ type: "bind", source: p, target: "/host" }] }),
}));
const volumeBinds: Attack[] = ["/", "/var/run/", "/run/containerd", "/srv/bulwark-backups/../../root", "/home/ci"].map((device) => ({
    name: `a docker.Volume binds '${device}' and the backup job mounts it`,
    blame: "sneaky",
    config: BACKUP_DIR,
    program: () => {
        const volume = new docker.Volume("sneaky", { name: "sneaky", driverOpts: { type: "none", o: "bind", device } });
        compliantStack({ container: { backup: { mounts: [{ type: "volume", source: volume.name, target: "/sneaky" }] } } });
    },
}));

// Security options: each weakening spelling beside a valid no-new-privileges, and no-new-privileges spelled so that
// Docker does not set it.
const securityOpts: Attack[] = [
    ...REFUSED_SECURITY_OPTS.map((opt) => ({ name: `the backend adds the security option '${opt}'`, opts: ["no-new-privileges:true", opt] })),
    ...["no-new-privileges=yes", "No-New-Privileges:true", " no-new-privileges", "no-new-privileges:", "no-new-privileges=true "].map((opt) => ({
        name: `the backend's only security option is '${opt}'`,
        opts: [opt],
    })),
].map(({ name, opts }) => ({ name, blame: "backend", program: onBackend({ securityOpts: opts }) }));

// Env lists: the backend's settings, with the trick at the end. Secrets come from a generator of the attack's own.
function backendEnvs(tail: (secret: pulumi.Output<string>) => pulumi.Input<string>[], drop: readonly string[] = []): () => void {
    return () => {
        const secret = new random.RandomBytes("attack-secret", { length: 64 }).hex;
        const base: Record<string, pulumi.Input<string>> = {
            RAILS_ENV: "production",
            RAILS_FORCE_SSL: "true",
            CORS_ORIGINS: "https://app.example.com",
            JWT_ACCESS_TTL_SECONDS: "900",
            JWT_REFRESH_TTL_SECONDS: "1209600",
            SECRET_KEY_BASE: secret,
            JWT_SECRET: secret,
            DATABASE_URL: pulumi.interpolate`postgres://app:${secret}@database:5432/app`,
        };
        const envs = Object.entries(base)
            .filter(([k]) => !drop.includes(k))
            .map(([k, v]) => pulumi.interpolate`${k}=${v}`);
        compliantStack({ container: { backend: { envs: [...envs, ...tail(secret)] } } });
    };
}
const envTricks: Attack[] = [
    { name: "RAILS_FORCE_SSL=true then RAILS_FORCE_SSL=false", program: backendEnvs(() => ["RAILS_FORCE_SSL=false"]) },
    { name: "RAILS_FORCE_SSL set twice to true", program: backendEnvs(() => ["RAILS_FORCE_SSL=true"]) },
    { name: "RAILS_FORCE_SSL given without '=' last (Docker unsets it)", program: backendEnvs(() => ["RAILS_FORCE_SSL"]) },
    // Not here yet, both pass a preview (left to the fail-closed and meaning work of issue 22): force-SSL only as the
    // well-formed "rails_force_ssl" (RAILS_FORCE_SSL may hide in an entry unknown at preview), and a strong literal
    // SECRET_KEY_BASE after the generated one (the generated entry is unknown at preview, so the duplicate is unseen).
    ...[" RAILS_FORCE_SSL", "RAILS_FORCE_SSL ", "\tRAILS_FORCE_SSL", "RAILS_FORCE_SSL\u00a0"].map((name) => ({
        name: `force-SSL only as ${JSON.stringify(name)}`,
        program: backendEnvs(() => [`${name}=true`], ["RAILS_FORCE_SSL"]),
    })),
    { name: "SECRET_KEY_BASE generated, then a short literal last", program: backendEnvs(() => ["SECRET_KEY_BASE=changeme"]) },
    { name: "CORS_ORIGINS, then '*' last", program: backendEnvs(() => ["CORS_ORIGINS=*"]) },
    { name: "JWT_ACCESS_TTL_SECONDS, then a year last", program: backendEnvs(() => ["JWT_ACCESS_TTL_SECONDS=31536000"]) },
    { name: "RAILS_ENV given twice", program: backendEnvs(() => ["RAILS_ENV=development"]) },
].map((a) => ({ ...a, blame: "backend" }));

// CPU: quota/period pairs that allow more CPUs than the bound, and `cpus` spellings Docker reads as many CPUs.
const cpu: Attack[] = [
    ...OVERSIZED_CPU_PAIRS.map((pair) => ({ name: `cpuQuota ${pair.cpuQuota} over cpuPeriod ${pair.cpuPeriod ?? "(default)"}`, patch: { cpus: undefined, ...pair } })),
    ...["1e3", "128", "64.5", "1000/1"].map((cpus) => ({ name: `cpus '${cpus}'`, patch: { cpus } })),
    { name: "cpuQuota -1 (unlimited) and no cpus", patch: { cpus: undefined, cpuQuota: -1 } },
    { name: "a cpuset of 128 CPUs beside cpus", patch: { cpuSet: "0-127" } },
].map(({ name, patch }) => ({ name: `the backend's ${name}`, blame: "backend", program: onBackend(patch) }));

// User and groups: root and what may be root, in every spelling; groupAdds of group 0 or a name.
const users: Attack[] = [
    ...ROOT_USER_SPELLINGS.map((user) => ({ name: `the backend's user '${user}'`, patch: { user } })),
    ...["0", "00", "+0", "root", "wheel", "docker", " 0"].map((g) => ({ name: `the backend's groupAdds ['${g}']`, patch: { groupAdds: [g] } })),
].map(({ name, patch }) => ({ name, blame: "backend", program: onBackend(patch) }));

describeAttacks("parsing", [...addresses, ...configured, ...paths, ...escapes, ...volumeBinds, ...securityOpts, ...envTricks, ...cpu, ...users]);
