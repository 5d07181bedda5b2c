// SEC-01: secrets come from generated secrets (@pulumi/random) or secret config, never from code or plain
// config. A resource policy cannot see where a value came from, but hand-written secrets give themselves
// away: they are empty, short or placeholders. Values unknown at preview come from random resources or
// secret config and pass. Messages name the variable only: the value must never reach a log.
import { isSecretEnvName } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";
import { containerLabel, envsOf, validateContainer } from "../lib/docker-refs";

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

/** The password part of a URL like postgres://user:pass@host/db, or undefined when none is inline. */
export function urlPassword(value: string): string | undefined {
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^@/]*)@/i.exec(value);
    if (!match) {
        return undefined;
    }
    try {
        return decodeURIComponent(match[1]);
    } catch {
        return match[1];
    }
}

export const secretEnvNotInline = resourcePolicy({
    name: "secret-env-not-inline",
    controls: ["SEC-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Container env variables that carry secrets (SECRET_KEY_BASE, POSTGRES_PASSWORD, GOOGLE_CLIENT_SECRET, " +
        "JWT_SECRET and any *SECRET*, *PASSWORD*, *TOKEN*, *API_KEY*, *PRIVATE_KEY*, *CREDENTIAL* name), and passwords " +
        "inline in connection URLs, must not hold empty, short or placeholder values written into code or plain config.",
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
        for (const { name, value } of envsOf(props).values()) {
            if (value === undefined || config.ignoredNames.includes(name)) {
                continue; // unknown at preview: generated or secret config
            }
            if (isSecretEnvName(name)) {
                const why = weakness(value, config.minSecretLength);
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
