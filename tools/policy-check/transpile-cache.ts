// A disk cache in front of ts-node's compiler for the policy:check child. Transpiling the pack, the tools and the
// program costs seconds per check, and every check transpiles the same files; the output depends only on the
// source, the file name and the compiler settings, so it is keyed by exactly those. Preloaded (`-r`) right after
// ts-node/register, before the child's own imports, and active only when BULWARK_TRANSPILE_CACHE names a folder.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { REGISTER_INSTANCE, Service, VERSION } from "ts-node";

export const CACHE_ENV = "BULWARK_TRANSPILE_CACHE";

function readCached(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/** Written beside and renamed into place, so parallel checks never read half a file. A failure only costs time. */
function writeCached(file: string, output: string): void {
    const temporary = `${file}.${process.pid}.tmp`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(temporary, output);
        fs.renameSync(temporary, file);
    } catch {
        fs.rmSync(temporary, { force: true });
    }
}

/** Wraps `service.compile` so that each (settings, file, source) is transpiled once across runs. */
export function installTranspileCache(service: Service, dir: string): void {
    const settings = JSON.stringify([VERSION, service.ts.version, service.config.options]);
    const fromCache = new Map<string, string>();
    const compile = service.compile.bind(service);
    service.compile = (code, fileName, lineOffset = 0) => {
        const key = createHash("sha256").update(settings).update("\0").update(fileName).update("\0").update(code).digest("hex");
        const file = path.join(dir, key.slice(0, 2), `${key.slice(2)}.js`);
        const cached = lineOffset === 0 ? readCached(file) : undefined;
        if (cached !== undefined) {
            fromCache.set(fileName, cached);
            return cached;
        }
        const output = compile(code, fileName, lineOffset);
        if (lineOffset === 0) {
            writeCached(file, output);
        }
        return output;
    };
    // ts-node maps stack traces only for what it compiled itself; this lets the inline source maps of cached
    // outputs be found too, so a program's error still points at its TypeScript lines.
    const sourceMapSupport = require("@cspotcode/source-map-support") as { install(options: { retrieveFile(p: string): string }): void };
    sourceMapSupport.install({ retrieveFile: (p) => fromCache.get(p) ?? "" });
}

const registered = (process as NodeJS.Process & { [REGISTER_INSTANCE]?: Service })[REGISTER_INSTANCE];
const cacheDir = process.env[CACHE_ENV];
if (registered && cacheDir) {
    installTranspileCache(registered, cacheDir);
}
