// Root hooks for the unit tests: the policy tests share one running policy pack (tools/analyzer/judge.ts), which
// is started by the first test that needs it and stopped here, so mocha can exit.
import { stopLeakedAnalyzers, stopSharedAnalyzer } from "../tools/analyzer/judge";

export const mochaHooks = {
    async afterAll(): Promise<void> {
        await stopSharedAnalyzer();
        // A test that starts a pack and loses it (a second start over the first) would leave mocha running
        // forever after its last test: stop it here, and fail the run so the leak is fixed.
        const leaked = await stopLeakedAnalyzers();
        if (leaked > 0) {
            throw new Error(`${leaked} policy pack process(es) started with Analyzer.start were never stopped: stop each one (await analyzer.stop()) before starting another`);
        }
    },
};
