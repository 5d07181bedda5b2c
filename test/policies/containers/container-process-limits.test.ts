import * as assert from "node:assert/strict";
import { containerProcessLimits as policy } from "../../../policies/containers/container-process-limits";
import { evaluate, runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const NOFILE = { name: "nofile", soft: 4096, hard: 4096 };
const NPROC = { name: "nproc", soft: 512, hard: 512 };

describe("container-process-limits (CON-08)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 missing ulimits report nproc and nofile", async () => {
        const outcome = await runResourcePolicy(policy, container({ ulimits: undefined }));
        assertViolations(outcome, 2, /no nproc ulimit: add \{ name: "nproc".*CON-08/, /no nofile ulimit/);
    });

    it("#3 a missing nproc is reported", async () => {
        assertViolations(await runResourcePolicy(policy, container({ ulimits: [NOFILE] })), 1, /no nproc ulimit/);
    });

    it("#4 soft above hard is reported", async () => {
        const outcome = await runResourcePolicy(policy, container({ ulimits: [{ name: "nproc", soft: 1024, hard: 512 }, NOFILE] }));
        assertViolations(outcome, 1, /nproc ulimit soft limit 1024 exceeds its hard limit 512/);
    });

    it("#5 nproc hard above maxNproc (default 4096) is reported", async () => {
        const outcome = await runResourcePolicy(policy, container({ ulimits: [NPROC, { name: "nofile", soft: 1024, hard: 1048576 }] }));
        assertViolations(outcome, 1, /nofile ulimit hard limit 1048576 is above the maximum 65536.*`maxNofile`/);
    });

    it("#6 unlimited (-1) is reported", async () => {
        const outcome = await runResourcePolicy(policy, container({ ulimits: [{ name: "nproc", soft: -1, hard: -1 }, NOFILE] }));
        assertViolations(outcome, 1, /nproc ulimit is unlimited/);
    });

    it("#7 config maxNproc lowers the bound", async () => {
        const config = { config: { "container-process-limits": { maxNproc: 256 } } };
        assertViolations(await runResourcePolicy(policy, container(), config), 1, /hard limit 512 is above the maximum 256/);
    });

    it("#8 config maxNofile raises the bound", async () => {
        const config = { config: { "container-process-limits": { maxNofile: 1048576 } } };
        const resource = container({ ulimits: [NPROC, { name: "nofile", soft: 1048576, hard: 1048576 }] });
        assertPasses(await runResourcePolicy(policy, resource, config));
    });

    it("#9 the violation is advisory", async () => {
        const result = await evaluate([container({ ulimits: [NPROC] })]);
        assert.deepEqual(result.violations.filter((v) => v.policy === policy.name).map((v) => v.level), ["advisory"]);
    });

    it("#10 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
