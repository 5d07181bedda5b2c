// CPU limits as Docker computes them: `cpus` is NanoCPUs (the provider parses it with Docker's opts.ParseCPUs),
// `cpuQuota` over `cpuPeriod` is the CFS bandwidth (period 100000 us when unset; a quota of 0 or -1 is no limit;
// the kernel takes a quota from 1000 us and a period from 1000 to 1000000 us), `cpuSet` pins the container to the
// CPUs it lists. Docker refuses `cpus` beside a quota or period. `cpuShares` is a weight, never a limit.

/** The CFS period Docker uses when a quota is set without one. */
export const DEFAULT_CPU_PERIOD_US = 100000;

/** `cpus` as a plain decimal ("0.5", "2", "2.0"); undefined for any other spelling Docker's rational parser might take. */
export function parseCpus(value: string): number | undefined {
    return /^(\d+(\.\d+)?|\.\d+)$/.test(value) ? Number(value) : undefined;
}

/** The number of CPUs a cpuset list names ("0-3,6" -> 5); undefined when it is not one Docker accepts. */
export function cpuSetSize(value: string): number | undefined {
    if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(value)) {
        return undefined;
    }
    const cpus = new Set<number>();
    for (const part of value.split(",")) {
        const [from, to = from] = part.split("-").map(Number);
        if (to < from || to - from > 4096) {
            return undefined;
        }
        for (let c = from; c <= to; c++) cpus.add(c);
    }
    return cpus.size;
}

export interface CpuLimitProps {
    readonly cpus?: unknown;
    readonly cpuQuota?: unknown;
    readonly cpuPeriod?: unknown;
    readonly cpuSet?: unknown;
}

export interface CpuVerdict {
    /** The CPUs the container may use at most, from every limit in force; undefined when none is. */
    readonly limit: number | undefined;
    /** What is wrong with the limits as written, each naming its field. */
    readonly problems: readonly string[];
}

const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The CPU limit Docker would enforce from a container's fields, and what Docker or the bound refuses. */
export function cpuLimit(props: CpuLimitProps, maxCpus: number): CpuVerdict {
    const problems: string[] = [];
    const limits: [string, number][] = [];
    const cpusText = typeof props.cpus === "string" && props.cpus !== "" ? props.cpus : undefined;
    const quota = int(props.cpuQuota);
    const period = int(props.cpuPeriod);

    if (cpusText !== undefined) {
        const cpus = parseCpus(cpusText);
        if (cpus === undefined) {
            problems.push(`\`cpus\` "${cpusText}" is not a number: set it to a decimal such as "0.5"`);
        } else if (cpus > 0) {
            limits.push(["`cpus`", cpus]);
        }
    }
    const quotaSet = quota !== undefined && quota !== 0;
    const periodSet = period !== undefined && period !== 0;
    if (cpusText !== undefined && (quotaSet || periodSet)) {
        problems.push("`cpus` is set beside `cpuQuota`/`cpuPeriod`, which Docker refuses: keep `cpus` alone");
    }
    if (periodSet && (!Number.isInteger(period) || period < 1000 || period > 1000000)) {
        problems.push(`\`cpuPeriod\` ${period} is outside the kernel's 1000-1000000 us`);
    }
    if (quota !== undefined && quota > 0) {
        if (!Number.isInteger(quota) || quota < 1000) {
            problems.push(`\`cpuQuota\` ${quota} is below the kernel's 1000 us`);
        } else {
            limits.push(["`cpuQuota` over `cpuPeriod`", quota / (periodSet ? period! : DEFAULT_CPU_PERIOD_US)]);
        }
    } else if (quota !== undefined && quota < -1) {
        problems.push(`\`cpuQuota\` ${quota} is not a quota Docker accepts`);
    }
    const cpuSet = typeof props.cpuSet === "string" && props.cpuSet !== "" ? props.cpuSet : undefined;
    if (cpuSet !== undefined) {
        const size = cpuSetSize(cpuSet);
        if (size === undefined) {
            problems.push(`\`cpuSet\` "${cpuSet}" is not a CPU list such as "0-1,3"`);
        } else if (size > maxCpus) {
            problems.push(`\`cpuSet\` "${cpuSet}" names ${size} CPUs, above the allowed maximum of ${maxCpus}`);
        }
    }
    for (const [field, value] of limits) {
        if (value > maxCpus) {
            problems.push(`${field} allows ${+value.toFixed(3)} CPUs, above the allowed maximum of ${maxCpus}`);
        }
    }
    return { limit: limits.length ? Math.min(...limits.map(([, v]) => v)) : undefined, problems };
}
