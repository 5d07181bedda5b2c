// Root hooks for `npm run test:runtime`: make sure a Docker engine answers before any suite runs (starting
// dockerd when none does, as on a fresh CI machine), turn the live suites on, and after all of them tear the
// shared stack down and stop the engine if this run started it, whatever happened. Loaded through
// .mocharc.runtime.json's "require".
import { EngineHandle, ensureEngine } from "../../tools/runtime/dockerd";
import { closeRuntimeSession, enableLiveRuntime } from "./fixture";

enableLiveRuntime();

let engine: EngineHandle | undefined;

export const mochaHooks = {
    async beforeAll(this: Mocha.Context): Promise<void> {
        this.timeout(120_000);
        engine = await ensureEngine((message) => console.log(`runtime: ${message}`));
    },
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(180_000);
        const problems = await closeRuntimeSession();
        await engine?.stop();
        if (problems.length) {
            throw new Error(`teardown left resources behind:\n${problems.join("\n")}`);
        }
    },
};
