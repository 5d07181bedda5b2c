// CON-01, CON-02, LOG-07: a container whose image is a bare image ID, or unknown until apply, is judged by where the
// image came from. The docker provider gives an image built with `skipPush` the local image ID as its repoDigest,
// and in a preview it is unknown; neither names a repository. The engine's property dependencies name the
// resource the value came from: a docker.Image of this stack, built under an allowed repository from a pinned
// base, is trusted; a bare ID from anywhere else is not.
import { PolicyResource } from "@pulumi/policy";
import { IMAGE_TYPE, isUnknown } from "bulwark-vocabulary";
import { containerLabel, containerProps, containersOf } from "../lib/docker-refs";
import { markUndecided } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { isImageId, parseImageReference } from "./container-image-immutable";
import { ALLOWED_REGISTRIES_SCHEMA, isAllowedRepository } from "./container-image-trusted-source";

interface Config {
    readonly allowedRegistries: readonly string[];
}

interface ImageProps {
    readonly imageName?: unknown;
    readonly build?: { readonly args?: Record<string, unknown> } | unknown;
}

/** A base given as a build argument must be pinned: by digest, or a local image ID (content-addressed). */
function unpinnedBase(build: unknown): string | undefined {
    const args = build && typeof build === "object" ? (build as { args?: Record<string, unknown> }).args : undefined;
    for (const [name, value] of Object.entries(args ?? {})) {
        if (!/BASE|FROM/i.test(name) || typeof value !== "string" || isUnknown(value)) {
            continue;
        }
        const ref = parseImageReference(value);
        if (!isImageId(value) && !ref?.digest) {
            return `${name}=${value}`;
        }
    }
    return undefined;
}

export const containerImageProvenance = stackPolicy({
    name: "container-image-provenance",
    controls: ["CON-01", "CON-02", "LOG-07"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "A container whose image is a bare image ID or not known until apply must get it from a docker.Image of this " +
        "stack (seen through the engine's property dependencies) whose `imageName` is under an allowed registry and " +
        "whose base image build argument is pinned by digest. A bare image ID from anywhere else is rejected: its " +
        "source cannot be checked.",
    remediationSteps:
        "Build the image in the stack with docker.Image (imageName under an allowed prefix such as bulwark/, " +
        "BASE_IMAGE pinned as repository@sha256:<digest>) and pass its `repoDigest` to the container, or reference " +
        "a published image as repository@sha256:<digest> from an allowed registry.",
    configSchema: { properties: { allowedRegistries: ALLOWED_REGISTRIES_SCHEMA } },
    validateStack: (args, reportViolation) => {
        const allowed = args.getConfig<Config>().allowedRegistries ?? [];
        for (const container of containersOf(args.resources)) {
            const props = containerProps(container);
            const image = props.image;
            const builtByStack = typeof image === "string" && (isUnknown(image) || isImageId(image));
            if (!builtByStack) {
                continue; // a reference is judged by container-image-trusted-source and container-image-immutable
            }
            const label = containerLabel(props, container.name);
            const builds: PolicyResource[] = (container.propertyDependencies.image ?? []).filter((r) => r.type === IMAGE_TYPE);
            if (builds.length === 0) {
                if (isUnknown(image)) {
                    markUndecided(args, container.urn, "image");
                    continue;
                }
                reportViolation(
                    `[CON-01, LOG-07] Container ${label}: \`image\` "${image}" is a bare image ID that no docker.Image of this ` +
                        "stack produced, so where it came from cannot be checked. Reference it as repository@sha256:<digest> " +
                        "from an allowed registry, or build it in the stack with docker.Image and use its repoDigest.",
                    container.urn,
                );
                continue;
            }
            for (const build of builds) {
                const { imageName, build: buildArgs } = build.props as ImageProps;
                if (typeof imageName !== "string" || isUnknown(imageName)) {
                    markUndecided(args, build.urn, "imageName");
                    continue;
                }
                const ref = parseImageReference(imageName);
                if (!ref || !isAllowedRepository(ref.repository, allowed)) {
                    reportViolation(
                        `[CON-01] Container ${label} runs docker.Image '${build.name}' built as "${imageName}", which is not ` +
                            `under an allowed registry [${allowed.join(", ")}]. Name the build under the project's namespace ` +
                            "(e.g. bulwark/<service>:<stack>) or add the prefix to `allowedRegistries` after review.",
                        container.urn,
                    );
                }
                const unpinned = unpinnedBase(buildArgs);
                if (unpinned) {
                    reportViolation(
                        `[CON-02, LOG-07] Container ${label} runs docker.Image '${build.name}' built from ${unpinned}, a base ` +
                            "that is not pinned, so a rebuild can pull different content. Pin it as repository@sha256:<digest> " +
                            "(or a local image ID from images/base/build-base.sh --id).",
                        container.urn,
                    );
                }
            }
        }
    },
});
