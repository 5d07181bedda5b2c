// CON-05: a container that does not name its user runs as whatever the image says, which is usually root. The
// user spec is read as Docker resolves it (policies/lib/parse/user.ts): only plain non-zero numbers for both uid
// and gid prove a non-root process, since any name, or a missing group, may be 0 in the image; `groupAdds` may not
// add group 0 or a name either.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { groupAddProblem, userSpecProblem } from "../lib/parse/user";
import { resourcePolicy } from "../lib/policy";

const EXAMPLE = '"10001:10001"';

export const containerNonRootUser = resourcePolicy({
    name: "container-non-root-user",
    description:
        "Containers must set `user` to a numeric non-root uid:gid (a name, or a uid without its gid, is resolved " +
        "inside the image and may be 0), and `groupAdds` may add only numeric non-zero groups.",
    controls: ["CON-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        `Set \`user\` on the container to a numeric non-root uid:gid such as ${EXAMPLE}, and make sure the ` +
        "image's writable paths are owned by that uid; give `groupAdds` as numeric gids other than 0.",
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        const undecided = undecidedFields(args, args.urn, container, ["user", "groupAdds"]);
        if (!undecided.has("user")) {
            // Not trimmed: Docker does not trim it; " 0" is a name to Docker, and refused here as one.
            const user = typeof container.user === "string" ? container.user : "";
            const problem = userSpecProblem(user);
            if (problem?.kind === "empty" || user.trim() === "") {
                reportViolation(
                    "container sets no `user`: it runs as the image's default user, usually root; set `user` to a " +
                        `numeric non-root uid:gid such as ${EXAMPLE} (CON-05)`,
                );
            } else if (user.startsWith(":")) {
                reportViolation(`container \`user\` "${user}" names no user before the ':'; set it to e.g. ${EXAMPLE} (CON-05)`);
            } else if (problem?.kind === "root") {
                reportViolation(
                    `container runs as root (user "${user}"${problem.part === "group" ? ", group 0" : ""}): set \`user\` to a numeric ` +
                        `non-root uid:gid such as ${EXAMPLE} (CON-05)`,
                );
            } else if (problem?.kind === "name") {
                reportViolation(
                    `container \`user\` "${user}" has a ${problem.part} name (or a number Docker reads differently), which the image may ` +
                        `map to any id, root included: set a numeric non-root uid:gid such as ${EXAMPLE} (CON-05)`,
                );
            } else if (problem?.kind === "no-group") {
                reportViolation(
                    `container \`user\` "${user}" gives no group: the process gets the image's group for that uid, or gid 0 ` +
                        `when the image has none; set a numeric non-root uid:gid such as ${EXAMPLE} (CON-05)`,
                );
            }
        }
        if (!undecided.has("groupAdds") && Array.isArray(container.groupAdds)) {
            for (const [i, group] of container.groupAdds.entries()) {
                const why = typeof group === "string" ? groupAddProblem(group) : "is not a gid";
                if (why) {
                    reportViolation(`container \`groupAdds[${i}]\` "${group}" ${why}: add only numeric non-zero gids (CON-05)`);
                }
            }
        }
    }),
});
