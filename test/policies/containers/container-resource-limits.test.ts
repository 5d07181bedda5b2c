import * as assert from "node:assert/strict";
import { MAX_CONTAINER_MEMORY_MB } from "bulwark-vocabulary";
import { containerResourceLimits as policy } from "../../../policies/containers/container-resource-limits";
import { runStack } from "../../../tools/mocks/stack-run";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-resource-limits (CON-08)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 a missing memory limit is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ memory: undefined, memorySwap: undefined }));
        assertViolations(outcome, 1, /no memory limit \(`memory` is not set\).*set `memory` in MB.*CON-08/);
    });

    it("#3 memory 0 is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ memory: 0, memorySwap: undefined }));
        assertViolations(outcome, 1, /`memory` is 0/);
    });

    it("#4 memory above maxMemoryMb (default 16384) is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ memory: 32768, memorySwap: 32768 }));
        assertViolations(outcome, 1, /32768 MB, above the allowed maximum of 16384 MB.*`maxMemoryMb`/);
    });

    it("#5 config maxMemoryMb lowers the bound", async () => {
        const config = { config: { "container-resource-limits": { maxMemoryMb: 256 } } };
        assertViolations(await runResourcePolicy(policy, container(), config), 1, /maximum of 256 MB/);
    });

    it("#6 config maxMemoryMb raises the bound", async () => {
        const config = { config: { "container-resource-limits": { maxMemoryMb: 65536 } } };
        assertPasses(await runResourcePolicy(policy, container({ memory: 32768, memorySwap: 32768 }), config));
    });

    it("#7 a missing CPU limit is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ cpus: undefined }));
        assertViolations(outcome, 1, /no CPU limit: set `cpus`.*`cpuQuota`/);
    });

    it("#8 cpus \"0\" is rejected", async () => {
        assertViolations(await runResourcePolicy(policy, container({ cpus: "0" })), 1, /no CPU limit/);
    });

    it("#9 an unparsable cpus is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ cpus: "half" }));
        assertViolations(outcome, 1, /`cpus` "half" is not a number/);
    });

    it("#10 cpuQuota alone is a CPU limit", async () => {
        assertPasses(await runResourcePolicy(policy, container({ cpus: undefined, cpuQuota: 50000 })));
    });

    it("#11 cpuShares alone is not a limit", async () => {
        const outcome = await runResourcePolicy(policy, container({ cpus: undefined, cpuShares: 512 }));
        assertViolations(outcome, 1, /no CPU limit/);
    });

    it("#12 unlimited swap (memorySwap -1) is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ memorySwap: -1 }));
        assertViolations(outcome, 1, /unlimited swap \(`memorySwap` is -1\)/);
    });

    it("#13 memorySwap above memory is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ memorySwap: 1024 }));
        assertViolations(outcome, 1, /`memorySwap` \(1024 MB\) exceeds `memory` \(512 MB\).*512 MB beyond/);
    });

    it("#14 memorySwap unset passes", async () => {
        assertPasses(await runResourcePolicy(policy, container({ memorySwap: undefined })));
    });

    it("#15 no limits at all reports memory and CPU", async () => {
        const outcome = await runResourcePolicy(
            policy,
            container({ memory: undefined, memorySwap: undefined, cpus: undefined }),
        );
        assertViolations(outcome, 2, /memory limit/, /CPU limit/);
    });

    it("#16 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });

    it("#17 the largest memory the program's config accepts passes the pack's default ceiling; one MB more is refused by config", async () => {
        const at = (memoryMb: number) => ({ resources: JSON.stringify({ database: { memoryMb, cpus: 1 } }) });
        const run = await runStack("dev", at(MAX_CONTAINER_MEMORY_MB));
        const database = run.container("database");
        assert.equal(database.inputs.memory, MAX_CONTAINER_MEMORY_MB);
        assertPasses(await runResourcePolicy(policy, database));
        await assert.rejects(runStack("dev", at(MAX_CONTAINER_MEMORY_MB + 1)), /resources\.database\.memoryMb/);
    });
});
