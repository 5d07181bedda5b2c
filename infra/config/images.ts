// Images: the base the stack builds on, and the application images it runs (or the demo stand-ins in dev).
import { DEFAULT_BASE_IMAGE } from "./defaults";
import { DIGEST, LOCAL_IMAGE_ID } from "./patterns";
import type { ConfigReader } from "./reader";
import type { BulwarkConfig } from "./types";

export type ImagesConfig = Pick<BulwarkConfig, "baseImage" | "backendImage" | "frontendImage">;

export function parseImages(r: ConfigReader, prod: boolean): ImagesConfig {
    const baseImage = r.text("baseImage", DEFAULT_BASE_IMAGE);
    // A local image ID (from images/base/build-base.sh on hosts without a registry) is content-addressed too.
    if (!DIGEST.test(baseImage) && !LOCAL_IMAGE_ID.test(baseImage)) {
        r.problem("baseImage", `must be pinned by digest (name@sha256:<64 hex>) or be a local image ID (sha256:<64 hex>), got ${JSON.stringify(baseImage)} (CON-02).`, "run `pulumi config set baseImage debian:bookworm-slim@sha256:...`, or on a host without a registry `pulumi config set baseImage $(bash images/base/build-base.sh --id)`.");
    }
    const backendImage = appImage(r, "backendImage", prod);
    const frontendImage = appImage(r, "frontendImage", prod);
    return { baseImage, backendImage, frontendImage };
}

/** A prebuilt application image: required and digest-pinned in prod; in dev optional, but never a mutable tag. */
function appImage(r: ConfigReader, key: "backendImage" | "frontendImage", prod: boolean): string | undefined {
    const value = r.raw(key);
    if (value === undefined) {
        if (prod) {
            r.problem(key, "is required in prod: the demo stand-ins are for dev only.", `run \`pulumi config set ${key} registry.example.com/team/app@sha256:<digest>\`.`);
        }
        return undefined;
    }
    if (/\s/.test(value) || !/^[a-z0-9]/.test(value)) {
        r.problem(key, `is not an image reference: ${JSON.stringify(value)}.`, `run \`pulumi config set ${key} registry.example.com/team/app@sha256:<digest>\`.`);
    } else if (prod && !DIGEST.test(value)) {
        r.problem(key, `must be pinned by digest in prod (name@sha256:<64 hex>), got ${JSON.stringify(value)} (LOG-07).`, `run \`pulumi config set ${key} ${value.replace(/[:@].*$/, "")}@sha256:<digest>\` with the digest your registry reports.`);
    } else if (!DIGEST.test(value) && (/:latest$/.test(value) || !/:[\w][\w.-]*$/.test(value.split("/").pop() ?? ""))) {
        r.problem(key, `uses a mutable tag (${JSON.stringify(value)}); a redeploy could run different code (LOG-07).`, `pin it: \`pulumi config set ${key} name@sha256:<digest>\` or a version tag.`);
    }
    return value;
}
