// Where each role lives in the program: the component type that holds its containers and the image folders its
// containers are built from. The program (infra/) builds itself from these and the pack places a container in a
// role by them, so a role is what the structure makes a container, never what its label says (issue 22 item 4).
import type { Role } from "./labels";

/** The type tokens of the program's own components (`super(<token>, ...)` in infra/). */
export const COMPONENT_TYPES = {
    stack: "bulwark:stack:BulwarkStack",
    networks: "bulwark:stack:Networks",
    secrets: "bulwark:stack:Secrets",
    images: "bulwark:stack:Images",
    offsite: "bulwark:stack:OffsiteBackup",
    proxy: "bulwark:stack:Proxy",
    app: "bulwark:stack:App",
    database: "bulwark:stack:Database",
    backup: "bulwark:stack:Backup",
    /** Every container of a role is the only child of one of these, which is a child of the role's component. */
    hardenedContainer: "bulwark:docker:HardenedContainer",
} as const;

/** The build context of every image the stack builds: the folder `images/`, each image in `images/<folder>/Dockerfile`. */
export const IMAGES_CONTEXT_DIR = "images";

/** The folders under images/ the stack builds an image from. */
export const IMAGE_FOLDERS = ["postgres", "proxy", "backup", "demo-backend", "demo-frontend"] as const;
export type ImageFolder = (typeof IMAGE_FOLDERS)[number];

export interface RolePlacement {
    /** The component type a container of this role is (through a HardenedContainer) parented to. */
    readonly component: (typeof COMPONENT_TYPES)[keyof typeof COMPONENT_TYPES];
    /** The image folders its containers are built from (a docker.Image of the stack, context images/). */
    readonly imageFolders: readonly ImageFolder[];
    /** Stack config keys (`bulwark:<key>`) naming an image this role may run instead: the app's own images. */
    readonly configuredImageKeys?: readonly string[];
    /** The role's containers join no network at all (networkMode "none"). */
    readonly noNetwork?: boolean;
}

export const ROLE_PLACEMENT: Readonly<Record<Role, RolePlacement>> = {
    "edge-proxy": { component: COMPONENT_TYPES.proxy, imageFolders: ["proxy"] },
    app: { component: COMPONENT_TYPES.app, imageFolders: ["demo-backend", "demo-frontend"], configuredImageKeys: ["backendImage", "frontendImage"] },
    database: { component: COMPONENT_TYPES.database, imageFolders: ["postgres"] },
    backup: { component: COMPONENT_TYPES.backup, imageFolders: ["backup"] },
    "backup-drill": { component: COMPONENT_TYPES.backup, imageFolders: ["backup"], noNetwork: true },
    "backup-uploader": { component: COMPONENT_TYPES.backup, imageFolders: ["backup"] },
};
