// CON-05: a container that does not name its user runs as whatever the image says, which is usually root.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

interface NonRootUserConfig {
    readonly requireNumericUid: boolean;
}

const EXAMPLE = '"10001:10001"';

export const containerNonRootUser = resourcePolicy({
    name: "container-non-root-user",
    description:
        "Containers must set `user` to a non-root user. By default the user must be a numeric uid (optionally " +
        "uid:gid): a name is resolved inside the image and cannot be checked here.",
    controls: ["CON-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        `Set \`user\` on the container to a numeric non-root uid:gid such as ${EXAMPLE}, and make sure the ` +
        "image's writable paths are owned by that uid.",
    configSchema: {
        properties: {
            requireNumericUid: {
                type: "boolean",
                default: true,
                description: "Require the user part of `user` to be a numeric uid rather than a user name.",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["user"]).size > 0) {
            return;
        }
        const { requireNumericUid } = args.getConfig<NonRootUserConfig>();
        const user = typeof container.user === "string" ? container.user.trim() : "";
        if (user === "") {
            reportViolation(
                "container sets no `user`: it runs as the image's default user, usually root; set `user` to a " +
                    `numeric non-root uid:gid such as ${EXAMPLE} (CON-05)`,
            );
            return;
        }
        // "uid", "uid:gid", "name" or "name:group": only the user part decides who the process is.
        const userPart = user.split(":")[0];
        const numeric = /^\d+$/.test(userPart);
        if (userPart === "") {
            reportViolation(`container \`user\` "${user}" names no user before the ':'; set it to e.g. ${EXAMPLE} (CON-05)`);
        } else if (userPart === "root" || (numeric && Number(userPart) === 0)) {
            reportViolation(
                `container runs as root (user "${user}"): set \`user\` to a numeric non-root uid:gid such as ${EXAMPLE} (CON-05)`,
            );
        } else if (!numeric && requireNumericUid) {
            reportViolation(
                `container \`user\` "${user}" is a user name, which the image may map to any uid, root included: ` +
                    `set a numeric non-root uid:gid such as ${EXAMPLE} (CON-05)`,
            );
        }
    }),
});
