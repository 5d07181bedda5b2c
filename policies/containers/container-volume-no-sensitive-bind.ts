// CON-09, decided per resource: a Volume's driver and driver options are its own inputs, so the Volume itself is
// judged before it is created (resource policies run before each step in `pulumi up`, and see the inputs in a
// preview, where the stack view has `driver` unknown: Docker assigns it). No `driver` is Docker's `local`.
// container-no-sensitive-volume-binds relates containers to these Volumes across the stack.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { containsUnknown } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { bindDevice, deviceProblem } from "./container-no-sensitive-volume-binds";

export const containerVolumeNoSensitiveBind = resourcePolicy({
    name: "container-volume-no-sensitive-bind",
    description:
        "A Docker volume of the local driver (no `driver` is `local`) whose `driverOpts` bind a host path (`o: bind`, " +
        "`device`) must not bind a container runtime socket or a sensitive host path; its driver and options must be " +
        "known in a preview.",
    controls: ["CON-09"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Point the volume's `device` at a dedicated directory (e.g. /srv/bulwark-backups) or drop the bind options; write " +
        "`driver` and `driverOpts` as literals or from the stack config, so a preview can judge them.",
    validateResource: validateResourceOfType(docker.Volume, (volume, args, reportViolation) => {
        const props = volume as unknown as Record<string, unknown>;
        const fix = "write the volume's `driver` and `driverOpts` as literals or from the stack config (pulumi config set), not computed from another resource's output";
        const unknown = ["driver", "driverOpts"].filter((f) => containsUnknown(props[f]));
        if (unknown.length > 0) {
            unknown.forEach((f) => markUndecided(args, args.urn, f, fix));
            return;
        }
        const device = bindDevice(props);
        const why = device === undefined ? undefined : deviceProblem(device);
        if (device !== undefined && why) {
            reportViolation(
                `[CON-09] Volume '${props.name ?? args.name}' binds the host path "${device}" (\`driverOpts.device\`), ${why}: ` +
                    "any container mounting it reaches that path; bind a dedicated directory instead.",
            );
        }
    }),
});
