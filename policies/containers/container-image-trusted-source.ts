// CON-01: images come only from registries and namespaces the project trusts: its own builds and official
// images, so a typo or a look-alike repository cannot pull in someone else's code.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { CONFIG_NAMESPACE, isUnknown } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";
import { engineStackConfig } from "../lib/stack-config";
import { isImageId, parseImageReference } from "./container-image-immutable";

interface TrustedSourceConfig {
    readonly allowedRepositories: readonly string[];
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

/**
 * The repositories the program runs by default: the images it builds itself (infra/components/images.ts names them
 * bulwark/<folder>), the project's application images under its own namespace, and the Debian base. The app images
 * a stack configures (`bulwark:backendImage`, `bulwark:frontendImage`, reviewed in Pulumi.<stack>.yaml) are trusted
 * through the stack config the engine hands the pack, so a registry is never trusted as a whole.
 */
export const DEFAULT_ALLOWED_REPOSITORIES: readonly string[] = [
    "bulwark/postgres",
    "bulwark/proxy",
    "bulwark/backup",
    "bulwark/demo-backend",
    "bulwark/demo-frontend",
    "bulwark/backend",
    "bulwark/frontend",
    "docker.io/library/debian",
];

/** Stack config keys whose image repositories the stack itself vouches for. */
const CONFIGURED_IMAGE_KEYS = ["backendImage", "frontendImage"];

/** The `allowedRepositories` setting: this policy's and container-image-provenance's, one schema for both. */
export const ALLOWED_REPOSITORIES_SCHEMA = {
    type: "array",
    items: { type: "string" },
    default: [...DEFAULT_ALLOWED_REPOSITORIES],
    description:
        'Image repositories (registry/namespace/name, e.g. "ghcr.io/example/bulwark-backend") containers may run, ' +
        'matched exactly after Docker\'s normalization ("postgres" is docker.io/library/postgres). A registry or ' +
        "namespace is never trusted as a whole. The stack config's backendImage/frontendImage repositories are added.",
} as const satisfies PolicyConfigJSONSchema;

/** The normalized repositories allowed: the configured list plus the stack's configured app images. */
export function allowedRepositories(configured: unknown, stackConfig: Readonly<Record<string, string>> = engineStackConfig() ?? {}): Set<string> {
    const entries = (Array.isArray(configured) ? configured : []).filter((p): p is string => typeof p === "string");
    const fromStack = CONFIGURED_IMAGE_KEYS.map((k) => stackConfig[`${CONFIG_NAMESPACE}:${k}`]).filter((v): v is string => typeof v === "string");
    const result = new Set<string>();
    for (const entry of [...entries, ...fromStack]) {
        const repository = parseImageReference(entry)?.repository;
        if (repository) {
            result.add(repository);
        }
    }
    return result;
}

export const containerImageTrustedSource = resourcePolicy({
    name: "container-image-trusted-source",
    description:
        "Container images must come from an allowed repository (`allowedRepositories`: registry/namespace/name, matched " +
        "exactly, default the images the program builds, the project's application images and Debian, plus the app " +
        "images the stack config names). A registry is never trusted as a whole: ghcr.io/<anyone>/app is refused. Short " +
        'Docker Hub names are resolved as Docker does: "postgres" is docker.io/library/postgres.',
    controls: ["CON-01"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Run the project's own build (bulwark/<image>) or the app image configured in the stack (backendImage / " +
        "frontendImage), referenced by repository@digest. To trust another repository, add it (e.g. " +
        "\"registry.example.com/team/app\") to this policy's `allowedRepositories` after reviewing its publisher.",
    configSchema: {
        properties: {
            allowedRepositories: ALLOWED_REPOSITORIES_SCHEMA,
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
        const allowed = allowedRepositories(args.getConfig<TrustedSourceConfig>().allowedRepositories);
        const ref = parseImageReference(image);
        if (!ref) {
            reportViolation(
                `container \`image\` "${image}" is not a valid image reference, so its source cannot be checked: use ` +
                    "repository@sha256:<digest> from an allowed registry (CON-01)",
            );
            return;
        }
        if (!allowed.has(ref.repository)) {
            reportViolation(
                `container \`image\` "${image}" comes from ${ref.repository}, which is not an allowed repository: run the ` +
                    "project's own image or the stack's configured app image, or add the repository to `allowedRepositories` " +
                    "after reviewing it (CON-01)",
            );
        }
    }),
});
