// The dev stack on the real engine, with exactly the settings the program registers: it builds, comes up
// healthy, carries every recorded setting, works end to end, and keeps the database off the host and the
// edge network (NET-01, NET-02, NET-03, DB-02).
import * as assert from "node:assert/strict";
import * as https from "node:https";
import type { RuntimeSession } from "../../tools/runtime/session";
import type { ContainerInspect } from "../../tools/verify/containers";
import { pgStartupProbe } from "../../tools/verify/pg-probe";
import { describeLive, runtimeSession, SESSION_TIMEOUT_MS } from "./fixture";
import { reachScript, runProbe } from "./probes";

const inspect = (s: RuntimeSession, name: string) => s.engine.request<ContainerInspect & { Config: { Cmd: string[] | null } }>("GET", `/containers/${name}/json`);

function getJson(s: RuntimeSession, path: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
        // The proxy serves only its configured name (SNI and Host), the dev stack's "localhost".
        const headers = { Host: "localhost" };
        const req = https.get({ host: "127.0.0.1", port: s.ports.https, path, servername: "localhost", headers, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
            let text = "";
            res.on("data", (d: Buffer) => (text += d.toString("utf8")));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text.startsWith("{") ? JSON.parse(text) : text }));
        });
        req.on("error", reject);
    });
}

describeLive("runtime: the dev stack on the engine", function () {
    let s: RuntimeSession;
    before(async function () {
        this.timeout(SESSION_TIMEOUT_MS);
        s = await runtimeSession();
    });

    it("builds every image under images/ (including images/backup)", () => {
        const failed = s.builds.filter((b) => !b.ok);
        assert.deepEqual(failed.map((b) => b.name), [], failed.map((b) => `${b.tag}: ${b.error}`).join("\n\n"));
        assert.ok(s.builds.some((b) => b.name === "backup"), "images/backup was not built");
    });

    it("builds every image FROM the BASE_IMAGE the program records for it", () => {
        for (const image of s.captured.images) {
            const build = s.builds.find((b) => b.name === image.name);
            assert.ok(build, `images/${image.name} was not built`);
            assert.equal(build.baseImage, image.buildArgs.BASE_IMAGE, `images/${image.name}: built FROM ${build.baseImage}, the program records ${image.buildArgs.BASE_IMAGE}`);
        }
        assert.equal(s.baseImage, s.captured.images[0]?.buildArgs.BASE_IMAGE);
    });

    it("starts every container the program registers and each becomes healthy", () => {
        const bad = s.outcomes.filter((o) => o.status !== "healthy");
        assert.deepEqual(bad.map((o) => `${o.name}: ${o.status}`), [], bad.map((o) => `${o.name} (${o.status}): ${o.error}`).join("\n\n"));
        assert.equal(s.outcomes.length, s.captured.containers.length);
    });

    it("runs each container with the recorded settings", async () => {
        for (const [resourceName, spec] of s.run.specs) {
            const c = await inspect(s, spec.name);
            const want = spec.body;
            const h = c.HostConfig as unknown as Record<string, unknown>;
            const where = `${resourceName} (${spec.name})`;
            assert.equal(c.Config.User, want.User, `${where} User`);
            for (const key of ["ReadonlyRootfs", "Privileged", "Memory", "MemorySwap", "NanoCpus", "Init", "CapDrop", "SecurityOpt", "Tmpfs", "Ulimits", "RestartPolicy"] as const) {
                const expected = (want.HostConfig as Record<string, unknown>)[key];
                const actual = key === "RestartPolicy" ? { Name: (h[key] as { Name: string }).Name } : h[key];
                assert.deepEqual(actual ?? null, expected ?? null, `${where} HostConfig.${key}`);
            }
            assert.deepEqual(h.CapAdd ?? [], want.HostConfig.CapAdd ?? [], `${where} CapAdd`);
            assert.deepEqual(c.HostConfig.LogConfig, want.HostConfig.LogConfig, `${where} LogConfig`);
            assert.deepEqual(c.HostConfig.PortBindings ?? {}, want.HostConfig.PortBindings ?? {}, `${where} PortBindings`);
            for (const [k, v] of Object.entries(want.Labels ?? {})) assert.equal(c.Config.Labels?.[k], v, `${where} label ${k}`);
            for (const e of want.Env ?? []) assert.ok(c.Config.Env?.includes(e), `${where} env ${e.split("=")[0]}`);
            if (want.Cmd) assert.deepEqual(c.Config.Cmd, want.Cmd, `${where} Cmd`);
            const networks = Object.keys(c.NetworkSettings.Networks ?? {}).sort();
            const expectedNets = want.HostConfig.NetworkMode === "none" ? ["none"] : [want.HostConfig.NetworkMode as string, ...spec.extraNetworks.map((n) => n.name)].sort();
            assert.deepEqual(networks, expectedNets, `${where} networks`);
            const mounts = (c.Mounts ?? []).map((m) => `${m.Source ?? ""}:${m.Destination}:${m.RW ? "rw" : "ro"}`);
            for (const m of want.HostConfig.Mounts ?? []) {
                assert.ok(mounts.some((x) => x.endsWith(`:${m.Target}:${m.ReadOnly ? "ro" : "rw"}`)), `${where} mount ${m.Source} at ${m.Target}`);
            }
        }
    });

    it("serves the app end to end: proxy -> backend -> database over DATABASE_URL", async () => {
        const res = await getJson(s, "/api/db");
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body, { select1: 1, password_encryption: "scram-sha-256", user: "bulwark" });
    });

    it("publishes only the proxy's ports, and only on loopback", async () => {
        for (const spec of s.run.specs.values()) {
            const c = await inspect(s, spec.name);
            const bound = Object.entries(c.NetworkSettings.Ports ?? {}).filter(([, b]) => (b ?? []).length > 0);
            if (spec.name === s.containerName("proxy")) {
                assert.deepEqual(bound.map(([p]) => p).sort(), ["8080/tcp", "8443/tcp"]);
                for (const [, b] of bound) assert.ok((b ?? []).every((x) => x.HostIp === "127.0.0.1"), `proxy binds ${JSON.stringify(b)}`);
            } else {
                assert.deepEqual(bound, [], `${spec.name} publishes ${JSON.stringify(bound)}`);
            }
        }
    });

    describe("the database is reachable only from the data network", () => {
        let dbIp: string;
        let dataNet: string;
        let edgeNet: string;
        before(async () => {
            const db = await inspect(s, s.containerName("database"));
            const entries = Object.entries(db.NetworkSettings.Networks ?? {});
            assert.equal(entries.length, 1, `database networks: ${entries.map(([n]) => n).join(", ")}`);
            [dataNet, { IPAddress: dbIp }] = entries[0];
            edgeNet = `${s.stackName}-edge`;
        });

        it("has no published port and sits only on the internal data network", async () => {
            const db = await inspect(s, s.containerName("database"));
            assert.deepEqual(db.HostConfig.PortBindings ?? {}, {});
            assert.ok(Object.values(db.NetworkSettings.Ports ?? {}).every((b) => !b || b.length === 0));
            const net = await s.engine.request<{ Internal: boolean; IPAM: { Config: { Subnet: string }[] } }>("GET", `/networks/${dataNet}`);
            assert.equal(net.Internal, true, `${dataNet} is not internal`);
            assert.equal(net.IPAM.Config[0].Subnet, s.dataSubnet);
        });

        it("from the host: a bridge route may exist, but no login gets as far as a password prompt", async () => {
            // Docker gives the host an address on every bridge, internal ones included, so the host can often
            // open a TCP connection to a container IP. The guarantee is pg_hba: it rejects the bridge's host end.
            const r = await pgStartupProbe(dbIp, 5432, "bulwark", "bulwark");
            console.log(`      host -> ${dbIp}:5432: ${r.kind} (${r.detail})`);
            assert.ok(r.kind === "unreachable" || r.kind === "rejected", `the host reached authentication: ${r.detail}`);
            if (r.kind === "rejected") assert.match(r.detail, /pg_hba\.conf rejects connection/);
        });

        it("from a hardened container on the edge network: the name does not resolve and TCP fails", async function () {
            this.timeout(90_000);
            const r = await runProbe(s, edgeNet, reachScript("database", dbIp, 5432));
            assert.equal(r.exitCode, 0, r.output);
            assert.match(r.output, /^resolve=no$/m, r.output);
            assert.match(r.output, /^tcp=closed$/m, r.output);
        });

        it("control: the same probe on the data network resolves the name and connects", async function () {
            this.timeout(90_000);
            const r = await runProbe(s, dataNet, reachScript("database", dbIp, 5432));
            assert.match(r.output, /^resolve=yes$/m, r.output);
            assert.match(r.output, /^tcp=open$/m, r.output);
        });
    });
});
