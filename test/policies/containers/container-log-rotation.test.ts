import { containerLogRotation as policy } from "../../../policies/containers/container-log-rotation";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const drivers = (...allowed: string[]) => ({ config: { "container-log-rotation": { allowedLogDrivers: allowed } } });

describe("container-log-rotation (LOG-04, CMP-01)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 a missing logDriver is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ logDriver: undefined }));
        assertViolations(outcome, 1, /sets no `logDriver`.*"json-file".*"max-size".*LOG-04, CMP-01/);
    });

    it('#3 logDriver "none" is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ logDriver: "none", logOpts: undefined }));
        assertViolations(outcome, 1, /discards its logs \(`logDriver: "none"`\)/);
    });

    it('#4 logDriver "none" is rejected even when allowed by config', async () => {
        const outcome = await runResourcePolicy(policy, container({ logDriver: "none" }), drivers("none"));
        assertViolations(outcome, 1, /discards its logs/);
    });

    it("#5 missing logOpts for json-file report max-size and max-file", async () => {
        const outcome = await runResourcePolicy(policy, container({ logOpts: undefined }));
        assertViolations(outcome, 2, /no "max-size" for driver "json-file"/, /no "max-file" for driver "json-file"/);
    });

    it('#6 the "local" driver needs rotation options too', async () => {
        const outcome = await runResourcePolicy(policy, container({ logDriver: "local", logOpts: { "max-size": "20m" } }));
        assertViolations(outcome, 1, /no "max-file" for driver "local"/);
    });

    for (const size of ["10", "ten", "0m", "-1m", "10 mb"]) {
        it(`#7 max-size "${size}" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ logOpts: { "max-size": size, "max-file": "5" } }));
            assertViolations(outcome, 1, /"max-size" .* is not a positive size with a unit/);
        });
    }

    for (const size of ["512k", "10m", "1g", "1.5G"]) {
        it(`#8 max-size "${size}" passes`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ logOpts: { "max-size": size, "max-file": "3" } })));
        });
    }

    for (const files of ["0", "1.5", "many"]) {
        it(`#9 max-file "${files}" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ logOpts: { "max-size": "10m", "max-file": files } }));
            assertViolations(outcome, 1, /"max-file" .* is not an integer >= 1/);
        });
    }

    it("#10 a shipping driver not in allowedLogDrivers (default) is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ logDriver: "fluentd", logOpts: { "fluentd-address": "logs:24224" } }));
        assertViolations(outcome, 1, /`logDriver` "fluentd" is not in `allowedLogDrivers` \[json-file, local\]/);
    });

    it("#11 config allowedLogDrivers accepts a shipping driver without rotation options", async () => {
        const resource = container({ logDriver: "fluentd", logOpts: { "fluentd-address": "logs:24224" } });
        assertPasses(await runResourcePolicy(policy, resource, drivers("json-file", "local", "fluentd")));
    });

    it("#12 config allowedLogDrivers can exclude json-file", async () => {
        const outcome = await runResourcePolicy(policy, container(), drivers("local"));
        assertViolations(outcome, 1, /"json-file" is not in `allowedLogDrivers` \[local\]/);
    });

    it("#13 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
