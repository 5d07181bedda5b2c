// SEC-01: secrets come from generated secrets (@pulumi/random) or secret config, never from code or plain
// config. A resource policy cannot see where a value came from, but hand-written secrets give themselves
// away: they are empty, short or placeholders. Values unknown at preview come from random resources or
// secret config and pass. Messages name the variable only: the value must never reach a log.
import { isSecretEnvName, isUnknown, secretFileVariable } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";
import { containerLabel, envsOf, validateContainer } from "../lib/docker-refs";
import { recordSeenEnvs } from "../lib/secret-memo";
import { ageIdentityHex, secretEntries, urlPassword } from "../lib/secret-sources";

export { SECRET_NAME } from "bulwark-vocabulary";

interface Config {
    minSecretLength: number;
    ignoredNames: string[];
}

/** Words of a placeholder; matched against whole tokens so that random values do not trip them by chance. */
const PLACEHOLDER_WORDS = new Set([
    "changeme", "change", "password", "passwd", "secret", "example", "placeholder", "todo", "dummy", "test",
    "default", "sample", "fixme", "replace", "insecure", "foobar",
]);

/** Why a value is weak, or undefined when it is not. Never includes the value. */
export function weakness(value: string, minLength: number): string | undefined {
    if (value.trim() === "") {
        return "is empty";
    }
    if (/^(.)\1*$/s.test(value)) {
        return "is a single repeated character";
    }
    const tokens = value.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
    if (tokens.some((t) => PLACEHOLDER_WORDS.has(t) || t.startsWith("changeme") || /^x{3,}$/.test(t) || t.startsWith("123456"))) {
        return "looks like a placeholder (changeme, password, example, xxx, 123456, ...)";
    }
    if (value.length < minLength) {
        return `is shorter than ${minLength} characters (${value.length})`;
    }
    return undefined;
}

export { urlPassword };

export const secretEnvNotInline = resourcePolicy({
    name: "secret-env-not-inline",
    controls: ["SEC-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Container env variables that carry secrets (SECRET_KEY_BASE, POSTGRES_PASSWORD, GOOGLE_CLIENT_SECRET, " +
        "JWT_SECRET and any *SECRET*, *PASSWORD*, *TOKEN*, *API_KEY*, *PRIVATE_KEY*, *CREDENTIAL* name), and passwords " +
        "inline in connection URLs, must not hold empty, short or placeholder values written into code or plain config. " +
        "A `<SECRET>_FILE` variable (POSTGRES_PASSWORD_FILE, ...) is refused: the pack cannot see the file, which may be " +
        "any file of the host or image. Whether a strong value is generated is judged by secret-env-generated, which " +
        "reads what this policy saw of each env list.",
    remediationSteps:
        "Generate the secret with @pulumi/random (RandomPassword / RandomBytes) or set it with " +
        "`pulumi config set --secret <key>` and read it with `config.requireSecret`, then pass the Output into the " +
        "container env. Rotate any value that was committed.",
    configSchema: {
        properties: {
            minSecretLength: { type: "integer", minimum: 1, default: 32, description: "Shortest acceptable secret value" },
            ignoredNames: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Env names that match the secret pattern but do not hold a secret",
            },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        const label = containerLabel(props, args.name);
        const fix = "Generate it with @pulumi/random or read it from secret config (`pulumi config set --secret`).";
        // What this resource's env list holds, for secret-env-generated (lib/secret-memo.ts explains why).
        const envs = props.envs;
        recordSeenEnvs(args.urn, Array.isArray(envs) ? { ...secretEntries(envs), wholeUnknown: false } : { entries: [], unknown: 0, wholeUnknown: isUnknown(envs) });
        if (Array.isArray(envs)) {
            for (const entry of envs) {
                const name = typeof entry === "string" && !isUnknown(entry) ? entry.split("=")[0] : undefined;
                const secret = name === undefined || config.ignoredNames.includes(name) ? undefined : secretFileVariable(name.trim());
                if (secret) {
                    reportViolation(
                        `[SEC-01] Container ${label}: env ${name} makes the image read ${secret} from a file the stack does not ` +
                            `provide (a host or image file the pack cannot see). Pass ${secret} itself from a generated secret ` +
                            "(@pulumi/random) or secret config, and remove the _FILE variable.",
                    );
                }
            }
        }
        for (const { name, value } of envsOf(props).values()) {
            if (value === undefined || config.ignoredNames.includes(name)) {
                continue; // unknown at preview: generated or secret config
            }
            if (isSecretEnvName(name)) {
                // An age identity's "AGE-SECRET-KEY-1" prefix is no placeholder: its key bytes are judged.
                const why = weakness(ageIdentityHex(value) ?? value, config.minSecretLength);
                if (why) {
                    reportViolation(`[SEC-01] Container ${label}: env ${name} ${why}, so it looks hand-written or too weak. ${fix}`);
                }
            }
            const password = urlPassword(value);
            if (password !== undefined) {
                const why = weakness(password, config.minSecretLength);
                if (why) {
                    reportViolation(
                        `[SEC-01] Container ${label}: env ${name} embeds a connection password that ${why}. ` +
                            `Build the URL from the generated database password (pulumi.interpolate). ${fix}`,
                    );
                }
            }
        }
    }),
});
