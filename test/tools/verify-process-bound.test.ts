// The live audit's process-count-bound row (CON-08; CIS Docker 5.29) on inspect data and a fake /proc, no engine:
// the provider has no pids limit, so nproc bounds a container only while no other container and no host process
// runs under its uid. The live run is test/runtime/verify.test.ts ("fails exactly the process-count-bound rows ...").
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONTAINER_CHECKS } from "../../tools/verify/checks";
import { ContainerInfo, ContainerInspect, engineSecurity, StackState, uidProcessesOutside } from "../../tools/verify/containers";

const check = CONTAINER_CHECKS.find((c) => c.name === "process-count-bound")!;

function container(name: string, user: string, ulimits: ContainerInspect["HostConfig"]["Ulimits"] = [{ Name: "nproc", Soft: 256, Hard: 256 }]): ContainerInfo {
    const inspect = {
        Id: `${name}-0123456789abcdef`,
        Name: `/${name}`,
        Config: { User: user, Env: [], Labels: {} },
        HostConfig: { PidsLimit: null, Ulimits: ulimits },
    } as unknown as ContainerInspect;
    return { name, service: name, role: "app", inspect, processes: [] };
}

const stackOf = (...containers: ContainerInfo[]): StackState => ({ stack: "dev", engine: engineSecurity([]), containers, networks: [] });

/** A fake /proc: pid -> [real uid, cgroup text]. */
function fakeProc(processes: Record<number, [number, string]>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-proc-"));
    for (const [pid, [uid, cgroup]] of Object.entries(processes)) {
        fs.mkdirSync(path.join(dir, pid));
        fs.writeFileSync(path.join(dir, pid, "status"), `Name:\tsh\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
        fs.writeFileSync(path.join(dir, pid, "cgroup"), cgroup);
    }
    fs.mkdirSync(path.join(dir, "self"));
    return dir;
}

describe("verify: process-count-bound (CON-08)", () => {
    const frontend = container("dev-frontend", "10301:10301");
    const backend = container("dev-backend", "10201:10201");

    it("passes a container whose uid is its own (remote engine: host processes not visible, and it says so)", () => {
        const out = check.run(frontend, stackOf(frontend, backend));
        assert.deepEqual(out, { ok: true, detail: "nproc 256 for uid 10301, no other container's (host processes not visible: remote engine)" });
    });

    it("fails both containers on one uid, naming the other", () => {
        const twin = container("dev-twin", "10301:10999");
        const state = stackOf(frontend, backend, twin);
        assert.deepEqual(check.run(frontend, state), { ok: false, detail: "uid 10301 is also dev-twin's: they share one nproc budget of 256" });
        assert.equal(check.run(twin, state).ok, false);
        assert.equal(check.run(backend, state).ok, true);
    });

    it("fails without an nproc ulimit, or under root or a user name", () => {
        assert.match(check.run(container("a", "10301:10301", null), stackOf()).detail, /no nproc ulimit and no pids limit/);
        assert.match(check.run(container("b", "0:0"), stackOf()).detail, /numeric uid of its own/);
        assert.match(check.run(container("c", "node"), stackOf()).detail, /numeric uid of its own/);
    });

    it("finds host processes of the uid outside the container's cgroup", () => {
        const id = frontend.inspect.Id;
        const proc = fakeProc({
            100: [10301, `0::/system.slice/docker-${id}.scope\n`],
            200: [10301, "0::/user.slice/user-10301.slice/session-1.scope\n"],
            300: [10201, "0::/user.slice\n"],
            400: [0, "0::/\n"],
        });
        try {
            assert.deepEqual(uidProcessesOutside(10301, id, proc), [200]);
            assert.deepEqual(uidProcessesOutside(10201, id, proc), [300]);
            assert.deepEqual(uidProcessesOutside(10401, id, proc), []);
        } finally {
            fs.rmSync(proc, { recursive: true, force: true });
        }
    });
});
