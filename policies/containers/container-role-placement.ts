// NET-01/NET-03/DB-02/BAK-01: what a container may do follows from its role (only the proxy publishes ports,
// only the app, the database and the backup job join the data network, only the restore drill holds the age
// identity), so a role must be a fact of the program's structure, not a label it writes about itself. This
// decides, per resource and so before the step in `pulumi up`, what the URN's parent chain and the container's
// own inputs tell: a container labelled with a role is the child of a HardenedContainer under that role's
// component, a container in a role's component says which of its roles it is, and the restore drill has no
// network. The image half of the placement needs the docker.Image resource (container-role-image).
import { LABELS } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { containerLabel, validateContainer } from "../lib/docker-refs";
import { placeByStructure, resourceTypeChain } from "../lib/roles";

export const containerRolePlacement = resourcePolicy({
    name: "container-role-placement",
    controls: ["NET-01", "NET-03", "DB-02", "BAK-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        `A container's \`${LABELS.role}\` label agrees with its place in the program: a container labelled with a role ` +
        "is the child of a bulwark:docker:HardenedContainer under that role's component (bulwark:stack:Proxy, App, " +
        "Database, Backup), a container in a role's component carries the label of one of its roles, and the restore " +
        "drill joins no network. A label can narrow what a container may do, never widen it.",
    remediationSteps:
        "Create the container through the role's component (infra/components: Proxy, App, Database, Backup build it " +
        "with HardenedContainer) and let the profile write its role label; a container outside them takes no role " +
        `label. Remove a \`${LABELS.role}\` label that names another role than its component's.`,
    validateResource: validateContainer((props, args, reportViolation) => {
        const placement = placeByStructure(resourceTypeChain(args), props);
        for (const field of placement.undecided) {
            markUndecided(args, args.urn, field);
        }
        for (const problem of placement.problems) {
            reportViolation(
                `[NET-01, NET-03, DB-02, BAK-01] Container ${containerLabel(props, args.name)} ${problem}. A label cannot give a ` +
                    "container a role: build it through the role's component, or remove the label and give it no role.",
            );
        }
    }),
});
