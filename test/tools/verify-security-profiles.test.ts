// The live audit's seccomp and AppArmor rows (CON-07; CIS Docker 5.2, 5.21) on inspect data, no engine: a container
// run with seccomp=unconfined fails, one with no seccomp option runs the engine's default and passes; an AppArmor
// host fails an unconfined container; a host without AppArmor passes every container and claims no profile.
// The live run is test/runtime/verify.test.ts ("fails exactly the seccomp-profile row ...").
import * as assert from "node:assert/strict";
import type { Row } from "../../tools/verify/checks";
import { ContainerInfo, ContainerInspect, EngineSecurity, engineSecurity, KernelView, StackState } from "../../tools/verify/containers";
import { engineRows } from "../../tools/verify/verify";

const DOCKER_DEFAULT = ["name=seccomp,profile=default", "name=cgroupns"];
const WITH_APPARMOR = ["name=apparmor", ...DOCKER_DEFAULT];

function container(name: string, opts: { securityOpt?: string[]; appArmor?: string; privileged?: boolean; kernel?: Partial<KernelView> } = {}): ContainerInfo {
    const inspect: ContainerInspect = {
        Id: `${name}-id`,
        Name: `/${name}`,
        AppArmorProfile: opts.appArmor ?? "",
        Config: { User: "10001:10001", Env: [], Labels: {} },
        State: { Status: "running", Running: true, Pid: 4242 },
        RestartCount: 0,
        HostConfig: {
            ReadonlyRootfs: true,
            Privileged: opts.privileged ?? false,
            CapAdd: null,
            CapDrop: ["ALL"],
            SecurityOpt: opts.securityOpt ?? ["no-new-privileges"],
            Memory: 0,
            MemorySwap: 0,
            NanoCpus: 0,
            CpuQuota: 0,
            PidsLimit: null,
            Ulimits: null,
            NetworkMode: "dev-edge",
            PidMode: "",
            IpcMode: "private",
            UsernsMode: "",
            UTSMode: "",
            PortBindings: null,
            PublishAllPorts: false,
            Binds: null,
            RestartPolicy: { Name: "unless-stopped" },
            LogConfig: { Type: "json-file", Config: {} },
        },
        Mounts: [],
        NetworkSettings: { Ports: null, Networks: null },
    };
    const kernel = opts.kernel ? { uids: [10001, 10001, 10001, 10001], capEff: 0n, noNewPrivs: true, ...opts.kernel } : undefined;
    return { name, service: name, role: "app", inspect, processes: [], kernel };
}

function rows(check: string, securityOptions: string[], ...containers: ContainerInfo[]): Row[] {
    const state: StackState = { stack: "dev", engine: engineSecurity(securityOptions), containers, networks: [] };
    return engineRows(state).filter((r) => r.check === check);
}

const summary = (rs: readonly Row[]) => rs.map((r) => ({ target: r.target, result: r.result, detail: r.detail }));

describe("verify: seccomp and AppArmor profiles (CON-07)", () => {
    it("reads the engine's seccomp default and AppArmor from /info SecurityOptions", () => {
        assert.deepEqual(engineSecurity(WITH_APPARMOR), { seccompProfile: "default", apparmor: true } satisfies EngineSecurity);
        assert.deepEqual(engineSecurity(["name=seccomp,profile=/etc/docker/seccomp.json", "name=rootless"]), { seccompProfile: "/etc/docker/seccomp.json", apparmor: false });
        assert.deepEqual(engineSecurity(["name=cgroupns"]), { seccompProfile: undefined, apparmor: false });
        assert.deepEqual(engineSecurity(null), { seccompProfile: undefined, apparmor: false });
    });

    it("fails seccomp-profile on a container run with seccomp=unconfined (or the old seccomp:unconfined), naming it; the others pass", () => {
        const out = rows(
            "seccomp-profile",
            DOCKER_DEFAULT,
            container("dev-frontend"),
            container("dev-tampered", { securityOpt: ["no-new-privileges", "seccomp=unconfined"] }),
            container("dev-old-syntax", { securityOpt: ["seccomp:unconfined", "no-new-privileges"] }),
        );
        assert.deepEqual(summary(out), [
            { target: "dev-frontend", result: "pass", detail: "docker default" },
            { target: "dev-tampered", result: "fail", detail: "SecurityOpt seccomp=unconfined: runs with no syscall filter" },
            { target: "dev-old-syntax", result: "fail", detail: "SecurityOpt seccomp=unconfined: runs with no syscall filter" },
        ]);
        assert.deepEqual(out[0].controls, ["CON-07"]);
    });

    it("passes the engine's default profile with the kernel's view of PID 1, and fails when PID 1 has no filter", () => {
        const out = rows("seccomp-profile", DOCKER_DEFAULT, container("dev-filtered", { kernel: { seccomp: 2 } }), container("dev-unfiltered", { kernel: { seccomp: 0 } }));
        assert.deepEqual(summary(out), [
            { target: "dev-filtered", result: "pass", detail: "docker default; PID 1 Seccomp filter" },
            { target: "dev-unfiltered", result: "fail", detail: "docker default, but PID 1 has Seccomp 0 (no filter)" },
        ]);
    });

    it("names a custom profile by its default action, fails a privileged container, and fails every container on an engine without seccomp", () => {
        const custom = JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW" }] });
        assert.deepEqual(summary(rows("seccomp-profile", DOCKER_DEFAULT, container("dev-custom", { securityOpt: [`seccomp=${custom}`] }), container("dev-privileged", { privileged: true }))), [
            { target: "dev-custom", result: "pass", detail: "custom profile (defaultAction SCMP_ACT_ERRNO, 1 syscall rule(s))" },
            { target: "dev-privileged", result: "fail", detail: "Privileged: the engine applies no seccomp profile" },
        ]);
        assert.deepEqual(summary(rows("seccomp-profile", ["name=cgroupns"], container("dev-frontend"))), [
            { target: "dev-frontend", result: "fail", detail: "the engine has no seccomp (none in /info SecurityOptions): runs with no syscall filter" },
        ]);
        assert.deepEqual(summary(rows("seccomp-profile", ["name=seccomp,profile=unconfined"], container("dev-frontend"))), [
            { target: "dev-frontend", result: "fail", detail: "no seccomp option and the engine's default profile is unconfined" },
        ]);
    });

    it("on an AppArmor host, fails a container whose AppArmorProfile is unconfined or empty and passes docker-default", () => {
        const out = rows(
            "apparmor-profile",
            WITH_APPARMOR,
            container("dev-frontend", { appArmor: "docker-default" }),
            container("dev-tampered", { appArmor: "unconfined", securityOpt: ["no-new-privileges", "apparmor=unconfined"] }),
            container("dev-none", { appArmor: "" }),
        );
        assert.deepEqual(summary(out), [
            { target: "dev-frontend", result: "pass", detail: "AppArmor profile docker-default" },
            { target: "dev-tampered", result: "fail", detail: "AppArmorProfile unconfined" },
            { target: "dev-none", result: "fail", detail: "AppArmorProfile is empty: runs without an AppArmor profile" },
        ]);
        assert.deepEqual(out[0].controls, ["CON-07"]);
    });

    it("on a host without AppArmor, passes every container with an informational detail that claims no profile", () => {
        const out = rows("apparmor-profile", DOCKER_DEFAULT, container("dev-frontend"), container("dev-odd", { appArmor: "docker-default" }));
        assert.deepEqual(summary(out), [
            { target: "dev-frontend", result: "pass", detail: "the host has no AppArmor: no profile can apply (informational)" },
            { target: "dev-odd", result: "pass", detail: "the host has no AppArmor: no profile can apply (informational)" },
        ]);
        for (const r of out) assert.doesNotMatch(r.detail, /docker-default|AppArmor profile /);
    });
});
