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
import { ALLOWED_REPOSITORIES_SCHEMA, allowedRepositories } from "./container-image-trusted-source";

interface Config {
    readonly allowedRepositories: readonly string[];
}

interface ImageProps {
    readonly imageName?: unknown;
}

export const containerImageProvenance = stackPolicy({
    name: "container-image-provenance",
    controls: ["CON-01", "CON-02", "LOG-07"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "A container whose image is a bare image ID or not known until apply must get it from a docker.Image of this " +
        "stack (seen through the engine's property dependencies) whose `imageName` is an allowed repository " +
        "(container-image-build-pinned checks what that build is FROM). A bare image ID from anywhere else is " +
        "rejected: its source cannot be checked.",
    remediationSteps:
        "Build the image in the stack with docker.Image (imageName an allowed repository such as bulwark/<image>) and " +
        "pass its `repoDigest` to the container, or reference a published image as repository@sha256:<digest> of an " +
        "allowed repository.",
    configSchema: { properties: { allowedRepositories: ALLOWED_REPOSITORIES_SCHEMA } },
    validateStack: (args, reportViolation) => {
        const allowed = allowedRepositories(args.getConfig<Config>().allowedRepositories);
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
                const { imageName } = build.props as ImageProps;
                if (typeof imageName !== "string" || isUnknown(imageName)) {
                    markUndecided(args, build.urn, "imageName");
                    continue;
                }
                const ref = parseImageReference(imageName);
                if (!ref || !allowed.has(ref.repository)) {
                    reportViolation(
                        `[CON-01] Container ${label} runs docker.Image '${build.name}' built as "${imageName}", which is not ` +
                            "an allowed repository. Name the build as the project's own image (bulwark/<image>:<stack>) or add " +
                            "the repository to `allowedRepositories` after review.",
                        container.urn,
                    );
                }
            }
        }
    },
});
