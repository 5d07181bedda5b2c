// The program's stack as the runtime harnesses run it, with one base image for the record and the builds: the
// `baseImage` the stack configures (Pulumi.<stack>.yaml or an override), else the local debootstrap base by its
// image ID, handed to the program as `baseImage`. The images are then built FROM the BASE_IMAGE the program
// records, so the containers under test are made from the base the program would build them on.
//
// Also a CLI for callers that cannot await (the backup harness is synchronous):
//   ts-node tools/runtime/recorded.ts '<CaptureOptions as JSON>' <output file>   (the captured stack as JSON;
//   a file, not stdout, because the program may print while it runs)
import * as fs from "node:fs";
import { CaptureOptions, captureStack, CapturedStack, PROJECT_DIR } from "./capture";
import { ensureBaseImage } from "./images";
import { loadStackConfig } from "../mocks/stack-config";

export const BASE_IMAGE_CONFIG_KEY = "baseImage";

export interface RecordedCaptureOptions extends CaptureOptions {
    readonly log?: (line: string) => void;
    /** The local base as an immutable image ID (default: images/base/build-base.sh --id). */
    readonly localBase?: () => Promise<string>;
}

/** The base the stack configures, if any: an override first, then Pulumi.<stack>.yaml. */
export function configuredBaseImage(opts: CaptureOptions): string | undefined {
    const override = opts.overrides?.[BASE_IMAGE_CONFIG_KEY];
    if (override !== undefined) return override;
    const stack = loadStackConfig(opts.projectDir ?? PROJECT_DIR, opts.configStack, true);
    return stack.config[`${stack.project}:${BASE_IMAGE_CONFIG_KEY}`];
}

export async function captureWithBase(opts: RecordedCaptureOptions): Promise<CapturedStack> {
    const log = opts.log ?? (() => undefined);
    const base = configuredBaseImage(opts) ?? (await (opts.localBase ?? (() => ensureBaseImage(log, false, true)))());
    const { log: _log, localBase: _localBase, ...capture } = opts;
    return captureStack({ ...capture, overrides: { ...opts.overrides, [BASE_IMAGE_CONFIG_KEY]: base } });
}

/** The one BASE_IMAGE build argument the program gives every image it builds. */
export function recordedBaseImage(captured: CapturedStack): string {
    const bases = [...new Set(captured.images.map((i) => i.buildArgs.BASE_IMAGE))];
    if (bases.length !== 1 || !bases[0]) {
        throw new Error(`the program should build every image FROM one BASE_IMAGE; it records ${JSON.stringify(bases)} for ${captured.images.map((i) => i.name).join(", ")}`);
    }
    return bases[0];
}

if (require.main === module) {
    const [options, output] = process.argv.slice(2);
    captureWithBase({ ...(JSON.parse(options) as CaptureOptions), log: (line) => console.error(line) }).then(
        (captured) => fs.writeFileSync(output, JSON.stringify(captured)),
        (e: Error) => {
            console.error(e.message);
            process.exit(1);
        },
    );
}
