// A container's peak memory over a span, sampled from its cgroup on the host (cgroup v1 or v2): what the restore
// drill holds that the kernel cannot take back (resident: anonymous memory plus shmem, which is where tmpfs and
// PostgreSQL's shared buffers live), and what its limit is charged with including the page cache, which the
// kernel reclaims under the limit.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

export const MIB = 1024 * 1024;

export interface MemoryPeak {
    readonly residentMb: number;
    readonly chargedMb: number;
    readonly samples: number;
}

function cgroupDir(container: string): { dir: string; v2: boolean } {
    const id = spawnSync("docker", ["inspect", "-f", "{{.Id}}", container], { encoding: "utf8" }).stdout.trim();
    const candidates = [
        { dir: `/sys/fs/cgroup/memory/docker/${id}`, v2: false },
        { dir: `/sys/fs/cgroup/system.slice/docker-${id}.scope`, v2: true },
        { dir: `/sys/fs/cgroup/docker/${id}`, v2: true },
    ];
    const found = candidates.find((c) => fs.existsSync(`${c.dir}/memory.stat`));
    if (!found) throw new Error(`no memory cgroup found for ${container} (looked in ${candidates.map((c) => c.dir).join(", ")})`);
    return found;
}

function statFields(dir: string): Map<string, number> {
    return new Map(
        fs
            .readFileSync(`${dir}/memory.stat`, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => {
                const [key, value] = line.split(" ");
                return [key, Number(value)] as [string, number];
            }),
    );
}

/** Starts sampling every `intervalMs`; stop() returns the peaks. */
export function watchMemory(container: string, intervalMs = 100): { stop(): MemoryPeak } {
    const { dir, v2 } = cgroupDir(container);
    let resident = 0;
    let charged = 0;
    let samples = 0;
    const sample = () => {
        const stat = statFields(dir);
        const now = v2 ? (stat.get("anon") ?? 0) + (stat.get("shmem") ?? 0) : (stat.get("total_rss") ?? stat.get("rss") ?? 0) + (stat.get("total_shmem") ?? stat.get("shmem") ?? 0);
        const usage = Number(fs.readFileSync(`${dir}/${v2 ? "memory.current" : "memory.usage_in_bytes"}`, "utf8"));
        resident = Math.max(resident, now);
        charged = Math.max(charged, usage);
        samples++;
    };
    sample();
    const timer = setInterval(sample, intervalMs);
    return {
        stop: () => {
            clearInterval(timer);
            sample();
            return { residentMb: resident / MIB, chargedMb: charged / MIB, samples };
        },
    };
}
