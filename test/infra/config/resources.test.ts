// Resources: each service's memory and CPU.
import { LIMITS, SERVICES } from "../../../infra/config";
import { assertRejected, json } from "./helpers";

describe("infra config validation (loadConfig): resources", () => {
    describe("rejected values", () => {
        for (const service of SERVICES) {
            it(`resources.${service}.memoryMb: below ${LIMITS.memoryMb.min}`, () => {
                assertRejected("dev", { resources: json({ [service]: { memoryMb: LIMITS.memoryMb.min - 1 } }) }, `resources.${service}.memoryMb`);
            });
        }

        it("resources.<service>.memoryMb: above the maximum", () => {
            assertRejected("dev", { resources: json({ database: { memoryMb: LIMITS.memoryMb.max + 1 } }) }, "resources.database.memoryMb");
        });

        it("resources.<service>.memoryMb: not an integer", () => {
            assertRejected("dev", { resources: json({ backend: { memoryMb: 512.5 } }) }, "resources.backend.memoryMb", { message: /integer/ });
        });

        it("resources.<service>.memoryMb: a string", () => {
            assertRejected("dev", { resources: json({ backend: { memoryMb: "512" } }) }, "resources.backend.memoryMb");
        });

        it("resources.<service>.cpus: 0", () => {
            assertRejected("dev", { resources: json({ proxy: { cpus: 0 } }) }, "resources.proxy.cpus");
        });

        it("resources: a key that names no service", () => {
            assertRejected("dev", { resources: json({ redis: { memoryMb: 256 } }) }, "resources.redis", { message: /names no service/ });
        });
    });
});
