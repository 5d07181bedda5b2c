// The mapping from recorded docker.Container/Network/Volume inputs to Engine API bodies: units convert, every
// field the program registers has a rule, and a field without one stops the run instead of disappearing.
import * as assert from "node:assert/strict";
import { captureStack, CapturedStack, unwrapSecrets } from "../../tools/runtime/capture";
import { containerSpec, durationToNanos, InvalidInputError, networkSpec, UnmappedFieldError, volumeSpec } from "../../tools/runtime/engine-map";

const localImage = (ref: string) => ref.replace(/@sha256:[0-9a-f]{64}$/, ":dev");
const opts = { image: localImage, publishHost: "127.0.0.1" };

/** Inputs shaped like hardenedContainerArgs() records them. */
function recorded(): Record<string, unknown> {
    return {
        name: "rt1-proxy",
        image: `bulwark/proxy@sha256:${"a".repeat(64)}`,
        user: "10101:10101",
        envs: ["SERVER_NAME=localhost"],
        readOnly: true,
        tmpfs: { "/run/nginx": "rw,noexec,nosuid,nodev,size=8m,uid=10101,gid=10101,mode=0700" },
        mounts: [{ type: "volume", source: "rt1-data", target: "/data", readOnly: true }],
        privileged: false,
        capabilities: { adds: [], drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        memory: 128,
        memorySwap: 128,
        cpus: "0.5",
        ulimits: [{ name: "nproc", soft: 256, hard: 256 }],
        init: true,
        networksAdvanced: [
            { name: "rt1-edge", aliases: ["proxy"] },
            { name: "rt1-data", aliases: ["proxy-data"] },
        ],
        ports: [{ internal: 8443, external: 443, protocol: "tcp" }],
        healthcheck: { tests: ["CMD", "/usr/local/bin/healthcheck"], interval: "30s", timeout: "5s", retries: 3, startPeriod: "1m30s" },
        restart: "unless-stopped",
        wait: true,
        waitTimeout: 180,
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "5" },
        labels: [{ label: "bulwark.stack", value: "rt1" }],
    };
}

describe("runtime: engine mapping", () => {
    it("converts units and shapes to the Engine API's", () => {
        const spec = containerSpec("proxy", recorded(), opts);
        const h = spec.body.HostConfig;
        assert.equal(spec.name, "rt1-proxy");
        assert.equal(spec.body.Image, "bulwark/proxy:dev");
        assert.equal(spec.body.User, "10101:10101");
        assert.equal(h.Memory, 128 * 1024 * 1024);
        assert.equal(h.MemorySwap, 128 * 1024 * 1024);
        assert.equal(h.NanoCpus, 500_000_000);
        assert.equal(h.ReadonlyRootfs, true);
        assert.deepEqual(h.CapDrop, ["ALL"]);
        assert.deepEqual(h.CapAdd, []);
        assert.deepEqual(h.SecurityOpt, ["no-new-privileges:true"]);
        assert.deepEqual(h.Ulimits, [{ Name: "nproc", Soft: 256, Hard: 256 }]);
        assert.deepEqual(h.Mounts, [{ Type: "volume", Source: "rt1-data", Target: "/data", ReadOnly: true }]);
        assert.deepEqual(h.RestartPolicy, { Name: "unless-stopped" });
        assert.deepEqual(h.LogConfig, { Type: "json-file", Config: { "max-size": "10m", "max-file": "5" } });
        assert.equal(h.Init, true);
        assert.deepEqual(spec.body.Healthcheck, { Test: ["CMD", "/usr/local/bin/healthcheck"], Interval: 30e9, Timeout: 5e9, Retries: 3, StartPeriod: 90e9 });
        assert.deepEqual(spec.body.Labels, { "bulwark.stack": "rt1" });
        assert.deepEqual(spec.wait, { enabled: true, timeoutSeconds: 180 });
    });

    it("publishes on the harness's host address and attaches extra networks after create", () => {
        const spec = containerSpec("proxy", recorded(), opts);
        assert.deepEqual(spec.body.ExposedPorts, { "8443/tcp": {} });
        assert.deepEqual(spec.body.HostConfig.PortBindings, { "8443/tcp": [{ HostIp: "127.0.0.1", HostPort: "443" }] });
        assert.equal(spec.body.HostConfig.NetworkMode, "rt1-edge");
        assert.deepEqual(spec.body.NetworkingConfig, { EndpointsConfig: { "rt1-edge": { Aliases: ["proxy"] } } });
        assert.deepEqual(spec.extraNetworks, [{ name: "rt1-data", aliases: ["proxy-data"] }]);
        const wildcard = containerSpec("proxy", recorded(), { image: localImage });
        assert.equal(wildcard.body.HostConfig.PortBindings?.["8443/tcp"][0].HostIp, "0.0.0.0");
    });

    it("keeps networkMode none for a container without networks", () => {
        const spec = containerSpec("drill", { ...recorded(), networksAdvanced: [], networkMode: "none", ports: [] }, opts);
        assert.equal(spec.body.HostConfig.NetworkMode, "none");
        assert.equal(spec.body.NetworkingConfig, undefined);
        assert.deepEqual(spec.extraNetworks, []);
    });

    it("throws on an input field it has no rule for, naming it", () => {
        assert.throws(() => containerSpec("proxy", { ...recorded(), pidMode: "host" }, opts), (e: Error) => e instanceof UnmappedFieldError && /input "pidMode"/.test(e.message));
        assert.throws(() => containerSpec("proxy", { ...recorded(), hostname: "x" }, opts), UnmappedFieldError);
    });

    it("throws on an unknown nested field too", () => {
        const withBind = { ...recorded(), mounts: [{ type: "volume", source: "v", target: "/v", bindOptions: { propagation: "shared" } }] };
        assert.throws(() => containerSpec("proxy", withBind, opts), (e: Error) => e instanceof UnmappedFieldError && /mounts\[0\]\.bindOptions/.test(e.message));
        const withIp = { ...recorded(), networksAdvanced: [{ name: "n", aliases: [], ipv4Address: "10.0.0.9" }] };
        assert.throws(() => containerSpec("proxy", withIp, opts), /networksAdvanced\[0\]\.ipv4Address/);
        const withCaps = { ...recorded(), capabilities: { drops: ["ALL"], adds: [], ambient: ["X"] } };
        assert.throws(() => containerSpec("proxy", withCaps, opts), /capabilities\.ambient/);
    });

    it("rejects values it cannot map faithfully", () => {
        assert.throws(() => containerSpec("proxy", { ...recorded(), mounts: [{ type: "bind", source: "/", target: "/host" }] }, opts), InvalidInputError);
        assert.throws(() => containerSpec("proxy", { ...recorded(), cpus: "lots" }, opts), InvalidInputError);
        assert.throws(() => containerSpec("proxy", { ...recorded(), healthcheck: { tests: ["CMD", "x"], interval: "30 seconds" } }, opts), /healthcheck\.interval/);
        assert.throws(() => containerSpec("proxy", { ...recorded(), networkMode: "host" }, opts), /networkMode/);
    });

    it("parses Go durations", () => {
        assert.equal(durationToNanos("30s"), 30e9);
        assert.equal(durationToNanos("1m30s"), 90e9);
        assert.equal(durationToNanos("250ms"), 250e6);
        assert.equal(durationToNanos("1h"), 3600e9);
        assert.throws(() => durationToNanos("30"));
        assert.throws(() => durationToNanos("30s "));
    });

    it("maps networks and volumes strictly", () => {
        assert.deepEqual(networkSpec("data", { name: "rt1-data", driver: "bridge", internal: true, ipamConfigs: [{ subnet: "172.29.3.0/24" }], labels: [{ label: "a", value: "b" }] }), {
            Name: "rt1-data",
            Driver: "bridge",
            Internal: true,
            CheckDuplicate: true,
            IPAM: { Config: [{ Subnet: "172.29.3.0/24" }] },
            Labels: { a: "b" },
        });
        assert.throws(() => networkSpec("data", { name: "n", attachable: true }), /input "attachable"/);
        assert.throws(() => networkSpec("data", { name: "n", ipamConfigs: [{ subnet: "10.0.0.0/24", gateway: "10.0.0.1" }] }), /ipamConfigs\[0\]\.gateway/);
        assert.deepEqual(volumeSpec("v", { name: "rt1-v", labels: [{ label: "a", value: "b" }] }), { Name: "rt1-v", Labels: { a: "b" } });
        assert.throws(() => volumeSpec("v", { name: "rt1-v", driver: "local" }), /input "driver"/);
    });

    it("unwraps Pulumi secrets in recorded inputs", () => {
        const wrapped = { envs: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: ["A=1"] } };
        assert.deepEqual(unwrapSecrets(wrapped), { envs: ["A=1"] });
        assert.throws(() => unwrapSecrets({ x: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }), /unknown/);
    });

    describe("against the program's own registrations (dev config)", function () {
        this.timeout(60_000);
        let captured: CapturedStack;
        before(async () => {
            captured = await captureStack({ configStack: "dev", stackName: "rtunit", overrides: { httpsPort: "18443", httpPort: "18080" } });
        });

        it("has a rule for every field of every container, network and volume", () => {
            assert.ok(captured.containers.length >= 5, `only ${captured.containers.length} containers captured`);
            for (const c of captured.containers) containerSpec(c.resourceName, c.inputs, opts);
            for (const n of captured.networks) networkSpec(n.resourceName, n.inputs);
            for (const v of captured.volumes) volumeSpec(v.resourceName, v.inputs);
        });

        it("orders containers by the program's dependencies", () => {
            const deps = Object.fromEntries(captured.containers.map((c) => [c.resourceName, c.dependsOn]));
            assert.deepEqual(deps.database, []);
            assert.ok(deps["app-backend"].includes("database"), JSON.stringify(deps));
            assert.ok(deps.proxy.includes("app-backend") && deps.proxy.includes("app-frontend"), JSON.stringify(deps));
        });

        it("applies config overrides and the stack name", () => {
            const proxy = captured.containers.find((c) => c.resourceName === "proxy");
            assert.equal(proxy?.inputs.name, "rtunit-proxy");
            assert.deepEqual(proxy?.inputs.ports, [
                // On the dev stack's publishAddress: loopback.
                { internal: 8443, external: 18443, ip: "127.0.0.1", protocol: "tcp" },
                { internal: 8080, external: 18080, ip: "127.0.0.1", protocol: "tcp" },
            ]);
        });
    });
});
