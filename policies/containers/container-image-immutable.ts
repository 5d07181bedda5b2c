// LOG-07 / CON-02: a tag can be moved to different content at any time; only a digest names the exact image
// that was reviewed and scanned, so every deploy runs what was tested and updates are deliberate rebuilds.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { isUnknown } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";

interface ImageImmutableConfig {
    readonly requireDigest: boolean;
}

/** A parsed image reference, normalized the way Docker does it. */
export interface ImageReference {
    /** The name as written, without tag or digest, e.g. "postgres" or "localhost:5000/app". */
    readonly name: string;
    /** Registry host, with port if any; "docker.io" for Docker Hub and unqualified names. */
    readonly domain: string;
    /** Path in the registry; Docker Hub official images get the "library/" namespace. */
    readonly path: string;
    /** `${domain}/${path}`, e.g. "docker.io/library/postgres". */
    readonly repository: string;
    readonly tag?: string;
    /** "algorithm:hex", e.g. "sha256:…". */
    readonly digest?: string;
}

const DOCKER_HUB_ALIASES = ["docker.io", "index.docker.io", "registry-1.docker.io"];
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
/** An image ID ("sha256:<hex>") names local content, not a repository. */
const IMAGE_ID = /^sha256:[a-f0-9]{64}$/;

export function isImageId(image: string): boolean {
    return IMAGE_ID.test(image.trim());
}

/**
 * Parses "[domain/]path[:tag][@digest]" by Docker's rules: the first component is a registry only if it
 * has a "." or ":" or is "localhost" (so "localhost:5000/x" is a registry with a port, "user/repo" is Docker
 * Hub), and the tag is the ":" after the last "/". Returns undefined for a string that is not a reference.
 */
export function parseImageReference(image: string): ImageReference | undefined {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) {
            return undefined;
        }
    }
    let tag: string | undefined;
    const colon = rest.indexOf(":", rest.lastIndexOf("/") + 1);
    if (colon >= 0) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG.test(tag)) {
            return undefined;
        }
    }
    const slash = rest.indexOf("/");
    const first = slash >= 0 ? rest.slice(0, slash) : "";
    const hasDomain = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
    let domain = hasDomain ? first.toLowerCase() : "docker.io";
    let path = hasDomain ? rest.slice(slash + 1) : rest;
    if (DOCKER_HUB_ALIASES.includes(domain)) {
        domain = "docker.io";
        if (!path.includes("/")) {
            path = `library/${path}`;
        }
    }
    if (path === "" || !path.split("/").every((c) => PATH_COMPONENT.test(c))) {
        return undefined;
    }
    return { name: rest, domain, path, repository: `${domain}/${path}`, tag, digest };
}

export const containerImageImmutable = resourcePolicy({
    name: "container-image-immutable",
    description:
        "Container images must be pinned: never untagged or `:latest`, and by default referenced by sha256 " +
        "digest (`repo@sha256:<64 hex>`), so the deployed image is exactly the one that was built and scanned.",
    controls: ["LOG-07", "CON-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Reference the image as `repository@sha256:<digest>`: use the `repoDigest` of the docker.Image or " +
        "docker.RemoteImage resource, or `docker buildx imagetools inspect <image>` for a public image. Update " +
        "by rebuilding and changing the digest, not by moving a tag.",
    configSchema: {
        properties: {
            requireDigest: {
                type: "boolean",
                default: true,
                description: "Require a sha256 digest; when false, a version tag other than latest is accepted.",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        // Unknown (a build of this stack, in a preview) or a local image ID (content-addressed, hence immutable):
        // container-image-provenance decides where either came from.
        if (typeof container.image !== "string" || isUnknown(container.image) || isImageId(container.image)) {
            return;
        }
        const image = container.image.trim();
        const { requireDigest } = args.getConfig<ImageImmutableConfig>();
        const ref = parseImageReference(image);
        if (!ref) {
            reportViolation(
                `container \`image\` "${image}" is not a valid image reference: use "repository@sha256:<64 hex>" (LOG-07, CON-02)`,
            );
            return;
        }
        if (ref.digest !== undefined) {
            if (!SHA256_DIGEST.test(ref.digest)) {
                reportViolation(
                    `container \`image\` "${image}" has digest "${ref.digest}", not "sha256:" followed by 64 lowercase ` +
                        "hex characters: use the image's sha256 repo digest (LOG-07, CON-02)",
                );
            }
            return; // Docker pulls by digest and ignores any tag beside it.
        }
        if (ref.tag === undefined || ref.tag === "latest") {
            const what = ref.tag === undefined ? "has no tag, so it means :latest" : "uses the :latest tag";
            reportViolation(
                `container \`image\` "${image}" ${what}, which can change under the same name: pin a version by ` +
                    `digest, "${ref.name}@sha256:<digest>" (LOG-07, CON-02)`,
            );
        } else if (requireDigest) {
            reportViolation(
                `container \`image\` "${image}" is pinned by tag only, and a tag can be moved: add the digest, ` +
                    `"${image}@sha256:<digest>" (LOG-07, CON-02)`,
            );
        }
    }),
});
