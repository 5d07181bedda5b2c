// CON-01: images come only from registries and namespaces the project trusts: its own builds and official
// images, so a typo or a look-alike repository cannot pull in someone else's code.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { isUnknown } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";
import { isImageId, parseImageReference } from "./container-image-immutable";

interface TrustedSourceConfig {
    readonly allowedRegistries: readonly string[];
}

/**
 * Normalizes an allowed prefix the way image names are normalized, so "bulwark/" means the repositories
 * "bulwark/..." resolve to (docker.io/bulwark/...) and "ghcr.io/" means that registry. Trailing slashes
 * are dropped: matching is by whole path components, so "ghcr.io" never matches "ghcr.io.example.com".
 */
export function normalizeRegistryPrefix(prefix: string): string {
    const trimmed = prefix.trim().replace(/\/+$/, "");
    const slash = trimmed.indexOf("/");
    const first = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
    const isDomain = first.includes(".") || first.includes(":") || first === "localhost";
    if (!isDomain) {
        return `docker.io/${trimmed}`;
    }
    const domain = ["index.docker.io", "registry-1.docker.io"].includes(first.toLowerCase()) ? "docker.io" : first.toLowerCase();
    return slash >= 0 ? `${domain}/${trimmed.slice(slash + 1)}` : domain;
}

function isUnder(repository: string, prefix: string): boolean {
    return repository === prefix || repository.startsWith(`${prefix}/`);
}

/** True when the repository is under one of the allowed prefixes (normalized as image names are). */
export function isAllowedRepository(repository: string, allowed: readonly string[]): boolean {
    return allowed.some((prefix) => typeof prefix === "string" && isUnder(repository, normalizeRegistryPrefix(prefix)));
}

/** The `allowedRegistries` setting: this policy's and container-image-provenance's, one schema for both. */
export const ALLOWED_REGISTRIES_SCHEMA = {
    type: "array",
    items: { type: "string" },
    default: ["bulwark/", "docker.io/library/", "ghcr.io/"],
    description:
        'Repository prefixes images may come from, matched by whole path components: "ghcr.io/" is a ' +
        'registry, "docker.io/library/" the official Docker Hub images, "bulwark/" a Docker Hub (or local) namespace.',
} as const satisfies PolicyConfigJSONSchema;

export const containerImageTrustedSource = resourcePolicy({
    name: "container-image-trusted-source",
    description:
        "Container images must come from an allowed registry or namespace (`allowedRegistries`, default the " +
        "project's own bulwark/ images, Docker Hub official images and ghcr.io). Short Docker Hub names are " +
        'resolved as Docker does: "postgres" is docker.io/library/postgres, "user/repo" is docker.io/user/repo.',
    controls: ["CON-01"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Use an official image (e.g. postgres, nginx) or the project's own build (bulwark/...), referenced by " +
        "repository@digest. To trust another registry or namespace, add its prefix (e.g. \"registry.example.com/team/\") " +
        "to this policy's `allowedRegistries` config after reviewing its publisher.",
    configSchema: {
        properties: {
            allowedRegistries: ALLOWED_REGISTRIES_SCHEMA,
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        // An unknown image (built by the stack, in a preview) or a bare image ID (the local ID the docker provider
        // gives a skipPush build) says nothing of its source by itself: container-image-provenance follows the
        // container's property dependencies to the docker.Image that made it, or rejects it.
        if (typeof container.image !== "string" || isUnknown(container.image) || isImageId(container.image)) {
            return;
        }
        const image = container.image.trim();
        const configured = args.getConfig<TrustedSourceConfig>().allowedRegistries;
        const allowed = (Array.isArray(configured) ? configured : []).filter((p) => typeof p === "string");
        const ref = parseImageReference(image);
        if (!ref) {
            reportViolation(
                `container \`image\` "${image}" is not a valid image reference, so its source cannot be checked: use ` +
                    "repository@sha256:<digest> from an allowed registry (CON-01)",
            );
            return;
        }
        if (!isAllowedRepository(ref.repository, allowed)) {
            reportViolation(
                `container \`image\` "${image}" comes from ${ref.repository}, which is not under an allowed registry ` +
                    `[${allowed.join(", ")}]: use an official or project image, or add the registry to ` +
                    "`allowedRegistries` after reviewing it (CON-01)",
            );
        }
    }),
});
