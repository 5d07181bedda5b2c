import * as assert from "node:assert/strict";
import { OVERSIZED_CPU_PAIRS } from "./spellings";
import { MAX_CONTAINER_CPUS } from "bulwark-vocabulary";
import { cpuLimit, cpuSetSize, parseCpus } from "../../../policies/lib/parse/cpu";

describe("parse/cpu: CPU limits as Docker computes them", () => {
    it("#1 cpus: plain decimals only", () => {
        for (const [s, n] of [["0.5", 0.5], ["2", 2], ["2.0", 2], [".5", 0.5]] as const) assert.equal(parseCpus(s), n, s);
        for (const s of ["1/2", "1e3", " 1", "1 ", "-1", "0x2", "half", "", "1.", "Infinity"]) assert.equal(parseCpus(s), undefined, s);
    });

    it("#2 cpuset sizes", () => {
        assert.equal(cpuSetSize("0"), 1);
        assert.equal(cpuSetSize("0-3,6"), 5);
        assert.equal(cpuSetSize("0-3,2-5"), 6);
        for (const s of ["", "a", "3-1", "0,", "0 -1", "-1"]) assert.equal(cpuSetSize(s), undefined, s);
    });

    it("#3 quota over period is the limit; the default period is 100000 us", () => {
        assert.equal(cpuLimit({ cpuQuota: 50000 }, MAX_CONTAINER_CPUS).limit, 0.5);
        assert.equal(cpuLimit({ cpuQuota: 200000, cpuPeriod: 50000 }, MAX_CONTAINER_CPUS).limit, 4);
        assert.equal(cpuLimit({ cpus: "1.5" }, MAX_CONTAINER_CPUS).limit, 1.5);
        assert.deepEqual(cpuLimit({ cpus: "1.0" }, MAX_CONTAINER_CPUS).problems, []);
    });

    it("#4 a pair allowing more CPUs than the bound is refused, naming the pair", () => {
        for (const pair of OVERSIZED_CPU_PAIRS) {
            const { problems } = cpuLimit(pair, MAX_CONTAINER_CPUS);
            assert.equal(problems.length, 1, JSON.stringify(pair));
            assert.match(problems[0], /`cpuQuota` over `cpuPeriod` allows [\d.]+ CPUs, above the allowed maximum of 64/);
        }
        assert.match(cpuLimit({ cpus: "65" }, MAX_CONTAINER_CPUS).problems[0], /`cpus` allows 65 CPUs/);
    });

    it("#5 no limit: unset, zero, -1 (unlimited), shares alone", () => {
        for (const props of [{}, { cpus: "0" }, { cpuQuota: 0 }, { cpuQuota: -1 }, { cpuShares: 1024 }, { cpuSet: "0" }]) {
            assert.equal(cpuLimit(props, MAX_CONTAINER_CPUS).limit, undefined, JSON.stringify(props));
        }
    });

    it("#6 what Docker or the kernel refuses is a problem", () => {
        for (const props of [{ cpus: "1", cpuQuota: 50000 }, { cpus: "1", cpuPeriod: 100000 }, { cpuQuota: 500 }, { cpuQuota: 50000, cpuPeriod: 500 }, { cpuQuota: 50000, cpuPeriod: 2000000 }, { cpuQuota: -2 }, { cpuSet: "0-127" }, { cpuSet: "x" }]) {
            assert.ok(cpuLimit(props, MAX_CONTAINER_CPUS).problems.length > 0, JSON.stringify(props));
        }
    });
});
