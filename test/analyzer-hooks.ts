// Root hooks for the unit tests: the policy tests share one running policy pack (tools/analyzer/judge.ts), which
// is started by the first test that needs it and stopped here, so mocha can exit.
import { stopSharedAnalyzer } from "../tools/analyzer/judge";

export const mochaHooks = {
    async afterAll(): Promise<void> {
        await stopSharedAnalyzer();
    },
};
