// NET-01/NET-03/DB-02/BAK-01, CON-01: the second half of a container's role (the first is its structure,
// container-role-placement): a container placed in a role runs the image the stack builds from that role's own
// folder (images/<folder>/Dockerfile, context images/), or for the app the image the stack config names; the
// image of a role's folder runs in that role only; and a database runs only as the Database component's
// container. A docker.Image's build paths are known in a preview and the container's image is related to it by
// the engine's property dependencies, so this is decided in a preview.
import { IMAGES_CONTEXT_DIR, ROLE_PLACEMENT, ROLES } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { DATABASE_IMAGE_PATTERNS_SCHEMA, containerLabel, containerProps } from "../lib/docker-refs";
import { databaseVerdictOf, describeStructure, placeAll } from "../lib/roles";

interface Config {
    databaseImagePatterns: string[];
}

export const containerRoleImage = stackPolicy({
    name: "container-role-image",
    controls: ["NET-01", "NET-03", "DB-02", "BAK-01", "CON-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "A container placed in a role by its component and label runs the image a docker.Image of the stack builds " +
        `from that role's folder (${ROLES.map((r) => `${r}: ${ROLE_PLACEMENT[r].imageFolders.map((f) => `${IMAGES_CONTEXT_DIR}/${f}`).join("|")}`).join(", ")}; ` +
        "the app may run the images the stack config names instead); an image built from a role's folder runs in that role " +
        "only; a database image runs only as the Database component's container.",
    remediationSteps:
        "Run each role's container from the image the stack builds from its own folder (infra/components/images.ts) " +
        "through its component; run a database only as the Database component's container, and no image of a role's " +
        "folder anywhere else.",
    configSchema: {
        properties: {
            databaseImagePatterns: DATABASE_IMAGE_PATTERNS_SCHEMA,
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const tag = "[NET-01, NET-03, DB-02, BAK-01, CON-01]";
        for (const [container, placement] of placeAll(args.resources)) {
            const label = containerLabel(containerProps(container), container.name);
            if (placement.role === undefined && placement.undecided.length > 0) {
                // Its role is decided at apply (labels or networks unknown): so is what its image may be.
                placement.undecided.forEach((field) => markUndecided(args, container.urn, field));
                continue;
            }
            // Structure and label problems are container-role-placement's; the image is this policy's.
            if (placement.imageProblem) {
                reportViolation(`${tag} Container ${label} ${placement.imageProblem}. Build its image from the role's folder through its component.`, container.urn);
            }
            const foreign = placement.folders.filter((f) => placement.role === undefined || !ROLE_PLACEMENT[placement.role].imageFolders.includes(f));
            for (const folder of foreign) {
                const owners = ROLES.filter((r) => ROLE_PLACEMENT[r].imageFolders.includes(folder));
                reportViolation(
                    `${tag} Container ${label} runs the image built from ${IMAGES_CONTEXT_DIR}/${folder}, which only the ` +
                        `${owners.map((r) => `'${r}'`).join("/")} container may run, but it is ${placement.role ? `placed as '${placement.role}'` : `placed in no role (${describeStructure(placement.chain)}, label ${placement.label ? `'${placement.label}'` : "unset"})`}. ` +
                        "Run that image only in its role's component.",
                    container.urn,
                );
            }
            const database = databaseVerdictOf(container, placement, config.databaseImagePatterns);
            if (database === true && placement.role !== "database" && foreign.length === 0) {
                reportViolation(
                    `${tag} Container ${label} is a database (by its label or image) but is not the Database component's ` +
                        `container (${describeStructure(placement.chain)}, label ${placement.label ? `'${placement.label}'` : "unset"}), so nothing ` +
                        "proves it internal-only and backed up. Run the database only through the Database component, from the image built from " +
                        `${IMAGES_CONTEXT_DIR}/${ROLE_PLACEMENT.database.imageFolders[0]}.`,
                    container.urn,
                );
            }
        }
    },
});
