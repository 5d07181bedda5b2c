// Role placement: what a container is (the proxy, the app, the database, a backup container) is decided from
// facts a program cannot fake cheaply, in conjunction, never from its `bulwark.role` label alone (issue 22 item 4):
//  1. structure: the container is the child of a HardenedContainer component that is the child of the role's
//     component (vocabulary ROLE_PLACEMENT; the URN carries the parent type chain, and a stack policy walks
//     `parent`);
//  2. its label names one of the roles that structure allows (several backup roles share the Backup component;
//     the label narrows them), and its networks fit the role (the restore drill has none);
//  3. its image is built by a docker.Image of the stack from the role's own folder (images/<folder>/Dockerfile,
//     context images/), related through the engine's `propertyDependencies.image` (known in a preview), or for
//     the app, the image the stack config names.
// A label or name can only narrow: a container whose label claims a role its structure does not give is refused
// (container-role-placement), and a container the pack cannot place gets no role at all, so the policies judge it
// by their strictest rules: no published port, no data network, no age identity, no database privilege.
// Resource policies decide (1) and (2) from the URN chain before the step in `pulumi up`; (3) needs the Image
// resource and is decided by stack policies.
import * as path from "node:path";
import { PolicyResource } from "@pulumi/policy";
import {
    COMPONENT_TYPES,
    CONFIG_NAMESPACE,
    CONTAINER_TYPE,
    containsUnknown,
    IMAGE_FOLDERS,
    IMAGE_TYPE,
    IMAGES_CONTEXT_DIR,
    ImageFolder,
    isUnknown,
    LABELS,
    Role,
    ROLE_PLACEMENT,
    ROLES,
} from "bulwark-vocabulary";
import { ContainerProps, containerProps, DEFAULT_DATABASE_IMAGE_PATTERNS, imageRepository, imageRepositoryOf } from "./docker-refs";
import { labelValue } from "./labels";
import { engineStackConfig } from "./stack-config";

/**
 * The label value each role is spelled with, where a policy's config renames one (e.g. `drillRole`); the
 * vocabulary's role name otherwise. Renaming changes only the label a role is recognised by, not its structure.
 */
export type RoleNames = Partial<Record<Role, string>>;

/** The parent type chain of a URN, outermost first, ending with the resource's own type. */
export function typeChainOfUrn(urn: string | undefined): string[] {
    if (typeof urn !== "string") {
        return [];
    }
    // urn:pulumi:<stack>::<project>::<parent types joined by $>$<type>::<name>; a name may itself hold "::".
    const parts = urn.split("::");
    return parts.length >= 4 ? parts[2].split("$").filter(Boolean) : [];
}

/** The longer of two views of one chain: the mocks' URNs carry only the parent's type, the engine's all of them. */
function longer(a: string[], b: string[]): string[] {
    return b.length > a.length ? b : a;
}

/** A resource policy's view: its own URN's chain, or its parent's URN chain plus its own type. */
export function resourceTypeChain(args: { readonly urn: string; readonly type: string; readonly opts?: { readonly parent?: string } }): string[] {
    const viaParent = args.opts?.parent ? [...typeChainOfUrn(args.opts.parent), args.type] : [args.type];
    return longer(typeChainOfUrn(args.urn), viaParent);
}

/** A stack policy's view: the `parent` links walked up (each parent's URN adds what lies above the last one known). */
export function stackTypeChain(resource: PolicyResource): string[] {
    const walked = [resource.type];
    const seen = new Set<PolicyResource>([resource]);
    let top: PolicyResource = resource;
    for (let p = resource.parent; p && !seen.has(p); p = p.parent) {
        walked.unshift(p.type);
        seen.add(p);
        top = p;
    }
    const aboveTop = typeChainOfUrn(top.urn).slice(0, -1);
    return longer(typeChainOfUrn(resource.urn), [...aboveTop, ...walked]);
}

/** The roles a chain gives a container: those whose component holds the HardenedContainer it is the child of. */
export function structuralRoles(chain: readonly string[]): Role[] {
    const n = chain.length;
    if (n < 3 || chain[n - 1] !== CONTAINER_TYPE || chain[n - 2] !== COMPONENT_TYPES.hardenedContainer) {
        return [];
    }
    return ROLES.filter((role) => ROLE_PLACEMENT[role].component === chain[n - 3]);
}

/** The structure in words, for messages: "bulwark:stack:App > bulwark:docker:HardenedContainer", or "no component". */
export function describeStructure(chain: readonly string[]): string {
    const parents = chain.slice(0, -1).filter((t) => t !== "pulumi:pulumi:Stack");
    return parents.length ? `parented to ${parents.join(" > ")}` : "parented to no component";
}

/** The role a label value names, through the policy's spellings; undefined when it names none. */
export function roleOfLabel(label: string | undefined, names: RoleNames = {}): Role | undefined {
    return label === undefined ? undefined : ROLES.find((role) => (names[role] ?? role) === label);
}

function labelUnknown(props: ContainerProps): boolean {
    if (labelValue(props.labels, LABELS.role) !== undefined) {
        return false;
    }
    return isUnknown(props.labels) || (Array.isArray(props.labels) && props.labels.some((l) => containsUnknown(l)));
}

/** True when the container certainly joins a network; undefined when that is unknown until apply. */
function joinsNetwork(props: ContainerProps): boolean | undefined {
    if (containsUnknown(props.networksAdvanced) || isUnknown(props.networkMode)) {
        return undefined;
    }
    const listed = Array.isArray(props.networksAdvanced) && props.networksAdvanced.length > 0;
    return listed || props.networkMode !== "none";
}

export interface Placement {
    /** The role the container is placed in; undefined: unplaced, judged by the strictest rules. */
    readonly role: Role | undefined;
    /** The roles its structure allows (empty outside every role component). */
    readonly structural: readonly Role[];
    readonly chain: readonly string[];
    /** Its `bulwark.role` label, as written. */
    readonly label: string | undefined;
    /** The role the label names (through the policy's spellings), placed or not: a label may add restrictions. */
    readonly labelled: Role | undefined;
    /** The labels are unknown until apply, so the label cannot confirm the structure yet. */
    readonly labelUnknown: boolean;
    /** Why the container is not placed although structure or label say it has a role; empty when placed or plainly unplaced. */
    readonly problems: readonly string[];
    /** Fields that keep the placement undecided until apply. */
    readonly undecided: readonly string[];
}

/** Placement from structure, label and networks: what one resource's inputs and URN decide. */
export function placeByStructure(chain: readonly string[], props: ContainerProps, names: RoleNames = {}): Placement {
    const structural = structuralRoles(chain);
    const label = labelValue(props.labels, LABELS.role);
    const labelled = roleOfLabel(label, names);
    const unknown = labelUnknown(props);
    const problems: string[] = [];
    const undecided: string[] = [];
    const where = describeStructure(chain);
    const allowed = structural.map((r) => `'${names[r] ?? r}'`).join(" or ");
    let role: Role | undefined;
    if (unknown) {
        if (structural.length > 0) {
            undecided.push("labels");
        }
    } else if (label === undefined) {
        if (structural.length > 0) {
            problems.push(`has no \`${LABELS.role}\` label although it is ${where}; label it ${allowed}`);
        }
    } else if (labelled === undefined || !structural.includes(labelled)) {
        problems.push(
            `is labelled \`${LABELS.role}\`='${label}', but it is ${where}, which ` +
                (structural.length ? `makes it ${allowed}` : "places it in no role") +
                (labelled ? `; a '${label}' container is the child of a ${COMPONENT_TYPES.hardenedContainer} under ${ROLE_PLACEMENT[labelled].component}` : ""),
        );
    } else if (ROLE_PLACEMENT[labelled].noNetwork && joinsNetwork(props) !== false) {
        if (joinsNetwork(props) === undefined) {
            undecided.push("networksAdvanced/networkMode");
        } else {
            problems.push(`is labelled \`${LABELS.role}\`='${label}', a role that has no network, but it joins one (networkMode 'none' and no networksAdvanced are required)`);
        }
    } else {
        role = labelled;
    }
    return { role, structural, chain, label, labelled, labelUnknown: unknown, problems, undecided };
}

// ---- images -------------------------------------------------------------------------------------------------

const posix = path.posix;

function knownString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" && !isUnknown(value) ? value : undefined;
}

/**
 * The images/ folder a docker.Image of the stack is built from: its Dockerfile is `<folder>/Dockerfile` inside a
 * context that is a folder named images/. The engine gives the build inputs (`build.context`, `build.dockerfile`,
 * known in a preview) and, once built, the Dockerfile relative to the context. "unknown": not known until apply;
 * undefined: built from anything else.
 */
export function imageFolderOf(image: PolicyResource): ImageFolder | "unknown" | undefined {
    const props = image.props as { build?: { context?: unknown; dockerfile?: unknown }; context?: unknown; dockerfile?: unknown };
    const build = props.build && typeof props.build === "object" ? props.build : {};
    const context = knownString(build.context) ?? knownString(props.context);
    const dockerfile = knownString(build.dockerfile) ?? knownString(props.dockerfile);
    if (context === undefined || dockerfile === undefined) {
        return isUnknown(build.context) || isUnknown(build.dockerfile) || isUnknown(props.build) ? "unknown" : undefined;
    }
    const ctx = posix.normalize(context.replace(/\\/g, "/")).replace(/\/+$/, "");
    if (posix.basename(ctx) !== IMAGES_CONTEXT_DIR) {
        return undefined;
    }
    const file = dockerfile.replace(/\\/g, "/");
    const relative = posix.isAbsolute(file) ? posix.relative(ctx, posix.normalize(file)) : posix.normalize(file);
    const match = /^([^/]+)\/Dockerfile$/.exec(relative);
    return match && (IMAGE_FOLDERS as readonly string[]).includes(match[1]) ? (match[1] as ImageFolder) : undefined;
}

/** The docker.Images of the stack a container's `image` was built from (its property dependency). */
export function imagesOf(container: PolicyResource): PolicyResource[] {
    return (container.propertyDependencies.image ?? []).filter((r) => r.type === IMAGE_TYPE);
}

/** Whether the container's image value is the Image's output (true also while either is unknown). */
function runsBuiltImage(image: unknown, built: PolicyResource): boolean {
    const value = knownString(image);
    const props = built.props as { repoDigest?: unknown; imageName?: unknown };
    const digest = knownString(props.repoDigest);
    if (value === undefined || digest === undefined) {
        // Unknown in a preview: the engine records that the value comes from this Image's output.
        return value === undefined;
    }
    const name = knownString(props.imageName);
    return value === digest || (name !== undefined && value.includes("@sha256:") && imageRepository(value) === imageRepository(name));
}

/** The image folders a stack container's image is built from, as far as a preview can tell. */
export function builtFolders(container: PolicyResource): { folders: ImageFolder[]; unknown: boolean } {
    const image = containerProps(container).image;
    const folders: ImageFolder[] = [];
    let unknown = false;
    for (const built of imagesOf(container)) {
        const folder = imageFolderOf(built);
        if (folder === "unknown") {
            unknown = true;
        } else if (folder !== undefined && runsBuiltImage(image, built)) {
            folders.push(folder);
        }
    }
    return { folders, unknown };
}

/** The images the stack config names for a role (the app's own images, `bulwark:backendImage`/`frontendImage`). */
export function configuredImages(role: Role, config: Readonly<Record<string, string>> = engineStackConfig() ?? {}): string[] {
    return (ROLE_PLACEMENT[role].configuredImageKeys ?? []).map((k) => config[`${CONFIG_NAMESPACE}:${k}`]).filter((v): v is string => !!v);
}

export interface StackPlacement extends Placement {
    /** The folders the container's image is built from (through a docker.Image of the stack). */
    readonly folders: readonly ImageFolder[];
    /** Why structure and label place it in a role its image does not fit (then `role` is undefined). */
    readonly imageProblem?: string;
}

function imageText(image: unknown): string {
    return knownString(image) !== undefined ? `'${image}'` : "an image unknown until apply";
}

/** Placement in a stack policy: structure, label and networks, then the image, which must come from the role's folder. */
export function placeInStack(container: PolicyResource, names: RoleNames = {}): StackPlacement {
    const props = containerProps(container);
    const base = placeByStructure(stackTypeChain(container), props, names);
    const { folders, unknown } = builtFolders(container);
    if (base.role === undefined) {
        return { ...base, folders };
    }
    const spec = ROLE_PLACEMENT[base.role];
    if (folders.some((f) => spec.imageFolders.includes(f))) {
        return { ...base, folders };
    }
    const image = knownString(props.image);
    if (image !== undefined && configuredImages(base.role).includes(image)) {
        return { ...base, folders };
    }
    if (unknown) {
        return { ...base, role: undefined, folders, undecided: [...base.undecided, "image (the docker.Image's build)"] };
    }
    if (isUnknown(props.image) && imagesOf(container).length === 0) {
        // Unknown until apply and from no docker.Image of the stack: decided when known (a configured image, say).
        return { ...base, role: undefined, folders, undecided: [...base.undecided, "image"] };
    }
    const sources = [
        spec.imageFolders.map((f) => `${IMAGES_CONTEXT_DIR}/${f}/Dockerfile`).join(" or "),
        ...(spec.configuredImageKeys ?? []).map((k) => `the image set in ${CONFIG_NAMESPACE}:${k}`),
    ].join(", or ");
    const problem =
        `is placed as '${names[base.role] ?? base.role}' by its structure and label, but runs ${imageText(props.image)}, which ` +
        `${folders.length ? `is built from ${folders.map((f) => `${IMAGES_CONTEXT_DIR}/${f}`).join(", ")}` : "no docker.Image of this stack built from the role's folder produced"}; ` +
        `a '${base.role}' container runs the image built from ${sources}`;
    return { ...base, role: undefined, folders, imageProblem: problem };
}

/** Every container of a stack, placed once. */
export function placeAll(resources: readonly PolicyResource[], names: RoleNames = {}): Map<PolicyResource, StackPlacement> {
    return new Map(resources.filter((r) => r.type === CONTAINER_TYPE).map((c) => [c, placeInStack(c, names)]));
}

// ---- what the policies ask ----------------------------------------------------------------------------------

/**
 * A role's restrictions apply to a container placed in it, and to one whose label claims it (a label narrows);
 * a role's privileges (publishing, joining a data network, holding the age identity) only to a placed one.
 */
export function bearsRestrictionsOf(placement: Placement, role: Role): boolean {
    return placement.role === role || placement.labelled === role;
}

/**
 * Whether a stack container must be judged as a database: placed or labelled as one, or, placed in no role, running
 * a database image (a database image pattern, or the image built from the database's folder). Undefined when that
 * cannot be told before apply.
 */
export function databaseVerdictOf(
    container: PolicyResource,
    placement: StackPlacement,
    imagePatterns: readonly string[] = DEFAULT_DATABASE_IMAGE_PATTERNS,
): boolean | undefined {
    if (bearsRestrictionsOf(placement, "database")) {
        return true;
    }
    if (placement.role !== undefined) {
        return false;
    }
    if (placement.folders.some((f) => ROLE_PLACEMENT.database.imageFolders.includes(f))) {
        return true;
    }
    const repository = imageRepositoryOf(container);
    if (repository !== undefined && imagePatterns.some((p) => p && repository.includes(p.toLowerCase()))) {
        return true;
    }
    const image = containerProps(container).image;
    return placement.labelUnknown || (repository === undefined && isUnknown(image)) ? undefined : false;
}
