// Root hooks for `npm run test:runtime`: turns the live suites on and tears the shared stack down after all
// of them, whatever happened. Loaded through .mocharc.runtime.json's "require".
import { closeRuntimeSession, enableLiveRuntime } from "./fixture";

enableLiveRuntime();

export const mochaHooks = {
    async afterAll(this: Mocha.Context): Promise<void> {
        this.timeout(180_000);
        const problems = await closeRuntimeSession();
        if (problems.length) {
            throw new Error(`teardown left resources behind:\n${problems.join("\n")}`);
        }
    },
};
