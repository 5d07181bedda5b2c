// The proxy benchmark's arithmetic (bench/proxy/stats.ts) on fixed numbers: percentiles, medians of alternating
// runs, ratios of medians, the verdict against issue 10's targets and the `--json` shape. Nothing here is timed.
import * as assert from "node:assert/strict";
import { benchJson, BenchSetup, compare, humanReport, median, percentile, RunStats, runStats, verdict } from "../bench/proxy/stats";

const run = (rps: number, p50Ms: number, p99Ms: number, errors = 0): RunStats => ({ completed: rps * 5, errors, seconds: 5, rps, p50Ms, p99Ms });
const SETUP: BenchSetup = { rounds: 3, secondsPerRun: 5, path: "/up", proxyCpus: 0.5, proxyMemoryMb: 128, upstreamCpus: 2, upstreamMemoryMb: 256, otherContainers: 0 };

describe("bench/proxy statistics", () => {
    it("takes nearest-rank percentiles and medians", () => {
        const values = Array.from({ length: 100 }, (_, i) => i + 1);
        assert.equal(percentile(values, 50), 50);
        assert.equal(percentile(values, 99), 99);
        assert.equal(percentile(values, 100), 100);
        assert.equal(percentile([7], 99), 7);
        assert.ok(Number.isNaN(percentile([], 50)));
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 3, 2]), 2.5);
        assert.ok(Number.isNaN(median([])));
    });

    it("summarizes one run from unsorted latencies", () => {
        const latencies = [...Array.from({ length: 98 }, () => 1), 5, 40].reverse();
        assert.deepEqual(runStats(latencies, 2, 4), { completed: 100, errors: 2, seconds: 4, rps: 25, p50Ms: 1, p99Ms: 5 });
    });

    it("compares medians over the rounds, each figure on its own, and judges the targets at 16 connections", () => {
        const c16 = compare(16, [run(900, 2, 4), run(800, 3, 9), run(1000, 2.5, 5)], [run(1000, 1, 3), run(1100, 1.5, 2), run(50, 9, 90)]);
        assert.equal(c16.proxy.rps, 900);
        assert.equal(c16.direct.rps, 1000);
        assert.equal(c16.rpsRatio, 0.9);
        assert.equal(c16.p99AddedMs, 5 - 3);
        assert.equal(c16.p50AddedMs, 2.5 - 1.5);
        assert.deepEqual(verdict([c16]), { rpsRatio: true, p99Added: true });
        const slow = compare(16, [run(790, 2, 5.5)], [run(1000, 1, 3)]);
        assert.deepEqual(verdict([slow]), { rpsRatio: false, p99Added: false });
        assert.equal(verdict([compare(64, [run(1, 1, 1)], [run(1, 1, 1)])]), undefined);
    });

    it("--json: the headline figures per concurrency, the targets, the setup and the medians behind them", () => {
        const comparisons = [compare(16, [run(4000, 2, 4.25)], [run(5000, 1, 3)]), compare(64, [run(4500, 8, 20)], [run(6000, 6, 12)])];
        const json = JSON.parse(JSON.stringify(benchJson(SETUP, comparisons))) as Record<string, unknown>;
        assert.equal(json.rpsRatio16, 0.8);
        assert.equal(json.p99AddedMs16, 1.25);
        assert.equal(json.rpsRatio64, 0.75);
        assert.equal(json.p99AddedMs64, 8);
        assert.deepEqual(json.targets, { concurrency: 16, minRpsRatio: 0.8, maxP99AddedMs: 2, rpsRatioMet: true, p99AddedMet: true });
        assert.equal(json.rounds, 3);
        assert.equal(json.proxyCpus, 0.5);
        const medians = json.medians as Record<string, { proxy: { rps: number; runs: unknown[] }; direct: { p99Ms: number } }>;
        assert.deepEqual(Object.keys(medians), ["16", "64"]);
        assert.equal(medians["64"].proxy.rps, 4500);
        assert.equal(medians["16"].direct.p99Ms, 3);
        assert.equal(medians["16"].proxy.runs.length, 1);
    });

    it("the human report has a table per concurrency and PASS/FAIL against the targets", () => {
        const text = humanReport(SETUP, [compare(16, [run(700, 2, 4)], [run(1000, 1, 3)]), compare(64, [run(900, 8, 20)], [run(1000, 6, 12)])], { proxy: "https://p/up", direct: "http://d/up" });
        assert.match(text, /^16 connections$/m);
        assert.match(text, /^64 connections$/m);
        assert.match(text, /req\/s >= 0\.8x direct: 0\.70x {2}FAIL/);
        assert.match(text, /p99 added <= 2 ms: +1\.00 ms {2}PASS/);
    });
});
