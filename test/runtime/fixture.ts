// The one runtime session the live suites share: started by the first suite that asks for it, torn down by
// the root hook in hooks.ts after every suite has run (also when they fail). Live suites run only under
// `npm run test:runtime` (.mocharc.runtime.json loads hooks.ts); run under another configuration they are
// pending instead of starting containers, which forbid-pending (in both mocha configs) turns into a failure.
//
// Other runtime suites (e.g. test/runtime/backup*) use it the same way:
//   describeLive("...", function () { before(async function () { this.timeout(SESSION_TIMEOUT_MS); s = await runtimeSession(); }); ... });
import { RuntimeSession } from "../../tools/runtime/session";

/** Engine start, base image, image builds and the stack coming up healthy, on a cold two-core host. */
export const SESSION_TIMEOUT_MS = 15 * 60_000;

let enabled = false;
let session: Promise<RuntimeSession> | undefined;

export function enableLiveRuntime(): void {
    enabled = true;
}

export const liveEnabled = (): boolean => enabled;

/** describe() under `npm run test:runtime`, describe.skip() anywhere else. */
export function describeLive(title: string, fn: (this: Mocha.Suite) => void): Mocha.Suite | void {
    return (enabled ? describe : describe.skip)(title, fn);
}

export function runtimeSession(): Promise<RuntimeSession> {
    if (!enabled) {
        throw new Error("the runtime session only runs under `npm run test:runtime` (mocha --config .mocharc.runtime.json)");
    }
    session ??= RuntimeSession.start();
    return session;
}

export async function closeRuntimeSession(): Promise<string[]> {
    if (!session) return [];
    const pending = session;
    session = undefined;
    const started = await pending.catch(() => undefined);
    return started ? started.close() : [];
}
