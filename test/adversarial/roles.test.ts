// Adversarial class "roles": programs that claim a role their structure does not give (issue 22 item 4). A role is
// the conjunction of the component a container is parented to, the image built from the role's own folder and its
// networks (policies/lib/roles.ts); each program below fakes one or two of those and must be refused, naming the
// container, as an update and as a new-stack preview. Variants are generated from the vocabulary's roles, the
// program's component types and image folders.
import * as docker from "@pulumi/docker";
import { COMPONENT_TYPES, IMAGE_FOLDERS, ImageFolder, LABELS, Role, ROLE_PLACEMENT, ROLES } from "bulwark-vocabulary";
import { buildPaths } from "../../infra/components/images";
import { DEFAULT_BASE_IMAGE } from "../../infra/config/defaults";
import { compliantStack, CONTROLS_LABEL, hardenedArgs, ProgramComponent, ROLE, Service, SERVICES } from "../fixtures/lib/compliant-stack";
import { Attack, describeAttacks } from "./harness";

const DIGEST = "sha256:3c1f5e7a9b2d4f6081a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7";

/** The labels the fixture writes, with the role label set to `role` (undefined: no role label). */
function labelsWith(role: string | undefined): docker.types.input.ContainerLabel[] {
    return [...(role === undefined ? [] : [{ label: LABELS.role, value: role }]), { label: LABELS.controls, value: CONTROLS_LABEL }];
}

/** A docker.Image of the attacker's, built from images/<folder> (context images/) under any name. */
function builtFrom(folder: ImageFolder, name: string, imageName = `acme/${name}:dev`): docker.Image {
    return new docker.Image(name, {
        imageName,
        build: { ...buildPaths(folder), args: { BASE_IMAGE: DEFAULT_BASE_IMAGE } },
        skipPush: true,
        buildOnPreview: false,
    });
}

type ImageSource = { readonly kind: "folder"; readonly folder: ImageFolder; readonly imageName?: string } | { readonly kind: "ref"; readonly ref: string };

function imageOf(source: ImageSource, name: string) {
    return source.kind === "folder" ? builtFrom(source.folder, `${name}-image`, source.imageName).repoDigest : source.ref;
}

function describeSource(source: ImageSource): string {
    return source.kind === "folder" ? `built from images/${source.folder}${source.imageName ? ` as ${source.imageName}` : ""}` : source.ref;
}

/** Where the attacker parents a container: nowhere, under a role's component (with or without a HardenedContainer), or a look-alike. */
type Parenting = { readonly component?: string; readonly hardened: boolean };

function parented(name: string, parenting: Parenting, args: docker.ContainerArgs): docker.Container {
    let parent: ProgramComponent | undefined = parenting.component ? new ProgramComponent(parenting.component, `${name}-owner`) : undefined;
    if (parenting.hardened) {
        parent = new ProgramComponent(COMPONENT_TYPES.hardenedContainer, name, parent ? { parent } : undefined);
    }
    return new docker.Container(name, args, parent ? { parent } : undefined);
}

function describeParenting(p: Parenting): string {
    return p.component ? `under ${p.component}${p.hardened ? " > HardenedContainer" : ""}` : p.hardened ? "under a bare HardenedContainer" : "outside every component";
}

let uid = 20000;
/** Hardened args for an attacker's container, so that only its role can be what the pack refuses. */
function attackerArgs(name: string, role: string | undefined, image: docker.ContainerArgs["image"], extra: Partial<docker.ContainerArgs>, networks: string[] = []): docker.ContainerArgs {
    uid += 1;
    const base = hardenedArgs({ name: `fixture-${name}`, user: `${uid}:${uid}`, role, alias: name, image: image!, networks: [], envs: {} });
    return {
        ...base,
        networksAdvanced: networks.map((n) => ({ name: n, aliases: [name] })),
        networkMode: networks.length ? undefined : "none",
        ...extra,
    };
}

const attacks: Attack[] = [];

// 1. Each role's container relabelled as every other role, and with its label removed.
const relabels: (Role | undefined)[] = [...ROLES, undefined];
for (const service of SERVICES) {
    for (const role of relabels.filter((r) => r !== ROLE[service])) {
        attacks.push({
            name: `the ${service} (${ROLE[service]}) ${role ? `relabelled as '${role}'` : "without its role label"}`,
            blame: service,
            program: () => compliantStack({ container: { [service]: { labels: labelsWith(role) } } as Partial<Record<Service, object>> }),
        });
    }
}

// 2. A second container labelled as the proxy, publishing 443, outside the Proxy component.
const HTTPS = [{ internal: 8443, external: 443, ip: "127.0.0.1" }];
const notProxy: Parenting[] = [
    { hardened: false },
    { hardened: true },
    ...[COMPONENT_TYPES.app, COMPONENT_TYPES.database, COMPONENT_TYPES.backup, COMPONENT_TYPES.images].map((component) => ({ component, hardened: true })),
];
const proxyImages: ImageSource[] = [
    { kind: "folder", folder: "proxy" },
    { kind: "ref", ref: `nginxinc/nginx-unprivileged@${DIGEST}` },
];
for (const parenting of notProxy) {
    for (const source of proxyImages) {
        attacks.push({
            name: `a second 'edge-proxy' ${describeParenting(parenting)} (image ${describeSource(source)}) publishes 443`,
            blame: "proxy2",
            program: () => {
                compliantStack();
                parented("proxy2", parenting, attackerArgs("proxy2", "edge-proxy", imageOf(source, "proxy2"), { ports: HTTPS }, ["fixture-edge"]));
            },
        });
    }
}

// 3. A Postgres-like database from an image not in the database image patterns (or in them), outside the Database component.
const postgresLike: ImageSource[] = [
    { kind: "folder", folder: "postgres", imageName: "acme/warehouse:dev" },
    { kind: "ref", ref: `docker.io/bitnami/postgresql@${DIGEST}` },
    { kind: "ref", ref: `ghcr.io/acme/timescale-ha@${DIGEST}` },
];
const outsideDatabase: Parenting[] = [{ hardened: false }, { component: COMPONENT_TYPES.app, hardened: true }, { component: COMPONENT_TYPES.backup, hardened: true }];
for (const source of postgresLike) {
    for (const parenting of outsideDatabase) {
        for (const label of [undefined, "database", "app"]) {
            attacks.push({
                name: `a database (image ${describeSource(source)}) ${describeParenting(parenting)} labelled ${label ?? "nothing"} on the data network`,
                blame: "warehouse",
                program: () => {
                    compliantStack();
                    parented(
                        "warehouse",
                        parenting,
                        attackerArgs("warehouse", label, imageOf(source, "warehouse"), { envs: ["POSTGRES_DB=warehouse"] }, ["fixture-data"]),
                    );
                },
            });
        }
    }
}

// 4. The attacker's own component registered with the Database component's type token, wrapping a container that
//    publishes 5432: with and without a HardenedContainer look-alike, from the database's folder or another image.
const ownDatabaseImages: ImageSource[] = [{ kind: "folder", folder: "postgres" }, { kind: "ref", ref: `docker.io/bitnami/postgresql@${DIGEST}` }];
for (const hardened of [true, false]) {
    for (const source of ownDatabaseImages) {
        for (const label of ["database", undefined]) {
            attacks.push({
                name: `an attacker's ${COMPONENT_TYPES.database}${hardened ? " > HardenedContainer" : ""} (image ${describeSource(source)}, label ${label ?? "none"}) publishing 5432`,
                blame: "shadow-db",
                program: () => {
                    compliantStack();
                    parented(
                        "shadow-db",
                        { component: COMPONENT_TYPES.database, hardened },
                        attackerArgs("shadow-db", label, imageOf(source, "shadow-db"), { ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }] }, ["fixture-data"]),
                    );
                },
            });
        }
    }
}

// 5. A container parented to the Proxy component (through a HardenedContainer) and labelled as the proxy, but
//    with an image not built from images/proxy, publishing ports.
const notProxyImages: ImageSource[] = [
    ...IMAGE_FOLDERS.filter((f) => !ROLE_PLACEMENT["edge-proxy"].imageFolders.includes(f)).map((folder): ImageSource => ({ kind: "folder", folder })),
    { kind: "ref", ref: `nginxinc/nginx-unprivileged@${DIGEST}` },
    { kind: "ref", ref: `bulwark/proxy@${DIGEST}` },
];
for (const source of notProxyImages) {
    attacks.push({
        name: `a container under ${COMPONENT_TYPES.proxy} > HardenedContainer running ${describeSource(source)} publishes 443`,
        blame: "proxy2",
        program: () => {
            compliantStack();
            parented("proxy2", { component: COMPONENT_TYPES.proxy, hardened: true }, attackerArgs("proxy2", "edge-proxy", imageOf(source, "proxy2"), { ports: HTTPS }, ["fixture-edge"]));
        },
    });
}

describeAttacks("roles", attacks);
