// Images the stack builds from images/<name>/Dockerfile. Each is built FROM the digest-pinned base (CON-01,
// CON-02) and referenced by the digest of the build (repoDigest), so a container never runs a moved tag (LOG-07).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { COMPONENT_TYPES, IMAGE_FOLDERS, IMAGES_CONTEXT_DIR, ImageFolder } from "bulwark-vocabulary";
import { LOCAL_IMAGE_ID } from "../config";
import { NonRootUser } from "../hardening";

export const IMAGES_DIR = path.resolve(__dirname, "..", "..", IMAGES_CONTEXT_DIR);

/** The pack places a container in a role by the folder its image is built from (vocabulary ROLE_PLACEMENT). */
export const BUILT_IMAGES = IMAGE_FOLDERS;
export type BuiltImageName = ImageFolder;

/** The fixed numeric user each image creates; images/<name>/Dockerfile uses the same (a test checks). */
export const IMAGE_USERS: Readonly<Record<BuiltImageName, NonRootUser>> = {
    proxy: "10101:10101",
    "demo-backend": "10201:10201",
    "demo-frontend": "10301:10301",
    postgres: "10401:10401",
    backup: "10501:10501",
};

/**
 * The backup image runs three containers, each as a uid of its own (images/backup/Dockerfile creates them; a
 * test checks): the nproc ulimit counts every process of a uid on the host, so with one shared uid a drill or
 * uploader at its limit would leave the job unable to start a process. The drill and the uploader are in the
 * job's group, which may read the backups (directory 0750, files 0640) and nothing else of the others'.
 */
export const BACKUP_USERS = {
    job: IMAGE_USERS.backup,
    drill: "10502:10501",
    uploader: "10503:10501",
} as const satisfies Readonly<Record<string, NonRootUser>>;
export type BackupContainer = keyof typeof BACKUP_USERS;

/**
 * The context is images/ itself, not images/<name>, so that every build stage can COPY the one hardening step
 * they all end with (images/shared/harden.sh) and no image drifts from it; each Dockerfile COPYs from
 * <name>/. The runtime harnesses build with the same paths.
 */
export function buildPaths(image: string): { readonly context: string; readonly dockerfile: string } {
    return { context: IMAGES_DIR, dockerfile: path.join(IMAGES_DIR, image, "Dockerfile") };
}

/**
 * BuildKit reads `FROM sha256:<id>` as the registry repository "library/sha256" and tries to pull it, so a base
 * given as a local image ID (images/base/build-base.sh --id, on hosts without a registry) needs the classic
 * builder, which resolves image IDs from the local store. Found by the first real `pulumi up` (the provider's
 * default is BuildKit; the runtime harness's `docker build` had used the classic builder all along).
 */
export function builderFor(baseImage: string): "BuilderV1" | "BuilderBuildKit" {
    return LOCAL_IMAGE_ID.test(baseImage) ? "BuilderV1" : "BuilderBuildKit";
}

export interface StackImagesArgs {
    readonly stack: string;
    readonly baseImage: string;
    readonly names: readonly BuiltImageName[];
}

export class StackImages extends pulumi.ComponentResource {
    /** Digest references, by image name. */
    readonly refs: Partial<Record<BuiltImageName, pulumi.Output<string>>> = {};

    constructor(name: string, args: StackImagesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.images, name, {}, opts);
        for (const image of args.names) {
            const built = new docker.Image(
                `${name}-${image}`,
                {
                    imageName: `bulwark/${image}:${args.stack}`,
                    build: {
                        ...buildPaths(image),
                        args: { BASE_IMAGE: args.baseImage },
                        builderVersion: builderFor(args.baseImage),
                    },
                    skipPush: true,
                    buildOnPreview: false,
                },
                { parent: this },
            );
            this.refs[image] = built.repoDigest;
        }
        this.registerOutputs(this.refs);
    }

    ref(image: BuiltImageName): pulumi.Output<string> {
        const ref = this.refs[image];
        if (!ref) {
            throw new Error(`image ${image} was not built by this stack`);
        }
        return ref;
    }
}
