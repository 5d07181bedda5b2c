// SEC-01 / NET-05 / APP-01: the policies that read settings from a container's env (force-SSL, CORS, JWT
// lifetimes, secrets) read them as Docker applies them (policies/lib/parse/env.ts). Two entries of one name, a
// name with a space, or an entry without "=" make the list say one thing to a reader and another to Docker
// ("RAILS_FORCE_SSL=true" first and "=false" last; " RAILS_FORCE_SSL=true" is not the variable Rails reads), so
// such a list is refused outright.
import { isUnknown } from "bulwark-vocabulary";
import { envsOf, validateContainer } from "../lib/docker-refs";
import { markUndecided } from "../lib/inconclusive";
import { EnvEntry } from "../lib/parse/env";
import { resourcePolicy } from "../lib/policy";

/** A malformed entry for messages: its name-like start only, never what may be a value. */
function shown(entry: EnvEntry): string {
    if (entry.value !== undefined) {
        return JSON.stringify(entry.name.length > 64 ? `${entry.name.slice(0, 64)}…` : entry.name);
    }
    const start = /^[ \t]*[A-Za-z0-9_]{0,40}/.exec(entry.name)?.[0] ?? "";
    return `${JSON.stringify(start)}${start.length < entry.name.length ? "…" : ""} (an entry without "=")`;
}

export const containerEnvWellFormed = resourcePolicy({
    name: "container-env-well-formed",
    description:
        "A container's `envs` sets each variable once, as NAME=value with NAME of letters, digits and \"_\": Docker " +
        "keeps the last of two entries, does not trim names, and unsets a variable given without \"=\", so any " +
        "other list means something else to Docker than to a reader or a policy.",
    controls: ["SEC-01", "NET-05", "APP-01"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Write each variable once as NAME=value (no spaces around the name, no entry without \"=\"); remove the " +
        "earlier or later duplicate so the one value left is the intended one.",
    validateResource: validateContainer((props, args, reportViolation) => {
        if (isUnknown(props.envs)) {
            markUndecided(args, args.urn, "envs");
            return;
        }
        const envs = envsOf(props);
        for (const name of envs.duplicates) {
            reportViolation(
                `container sets env ${JSON.stringify(name)} more than once (\`envs\`): Docker keeps the last value, so ` +
                    "the list says two things; keep one entry (SEC-01, NET-05)",
            );
        }
        for (const entry of envs.malformed) {
            reportViolation(
                `container \`envs\` entry ${shown(entry)} is not NAME=value with a name of letters, digits and "_": ` +
                    "Docker takes it verbatim (a name with spaces is another variable; no \"=\" unsets it); write NAME=value (SEC-01, NET-05)",
            );
        }
    }),
});
