// CON-08 (CIS Docker Benchmark 5.29, KICS "Pids Limit Not Set"): the Docker provider has no pids limit, so what
// bounds a container's processes is its nproc ulimit. The kernel counts nproc per uid, across the host: it is a
// per-container bound only while the container's uid is its own. Two containers of a stack sharing a uid share
// one budget, so a fork bomb in one leaves the other unable to start a process. Each container's uid must be
// distinct (verify's process-count-bound row also checks the host for other processes of that uid).
import { isUnknown } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { containerLabel, containerProps, containersOf } from "../lib/docker-refs";
import { stackPolicy } from "../lib/policy";

/** The numeric uid of a `user` value ("10201:10201" or "10201"); undefined for names (another policy's concern). */
function numericUid(user: unknown): number | undefined {
    if (typeof user !== "string") return undefined;
    const m = /^\s*(\d+)(?::\d+)?\s*$/.exec(user);
    return m ? Number(m[1]) : undefined;
}

export const containerDistinctUids = stackPolicy({
    name: "container-distinct-uids",
    controls: ["CON-08"],
    severity: "medium",
    enforcementLevel: "mandatory",
    description:
        "Each container runs as a uid no other container of the stack uses: the nproc ulimit, the only process " +
        "limit the Docker provider offers, counts a uid's processes across the host.",
    remediationSteps:
        "Give each container its own uid (`user: \"<uid>:<gid>\"`); containers may share a group. In this project, " +
        "set `backend.user` and `frontend.user` to different uids (pulumi config set --path frontend.user 1001:1001).",
    validateStack: (args, reportViolation) => {
        const byUid = new Map<number, string[]>();
        for (const container of containersOf(args.resources)) {
            const props = containerProps(container) as { user?: unknown; name?: string };
            if (isUnknown(props.user)) {
                markUndecided(args, container.urn, "user");
                continue;
            }
            const uid = numericUid(props.user);
            if (uid === undefined || uid === 0) continue;
            const label = containerLabel(props, container.name);
            const sharing = byUid.get(uid) ?? [];
            if (sharing.length > 0) {
                reportViolation(
                    `[CON-08] Container ${label} runs as uid ${uid}, like ${sharing.join(", ")}: the nproc ulimit counts a ` +
                        "uid's processes across the host, so they share one process budget and a fork bomb in one stops the " +
                        "others. Give each container its own uid (they may share a group).",
                    container.urn,
                );
            }
            byUid.set(uid, [...sharing, label]);
        }
    },
});
