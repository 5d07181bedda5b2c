// Command-line parsing for `policy:check`. Kept apart from the runner so that every malformed invocation is
// rejected (exit 2) before a program is started.

/** One `--config` or `--secret` setting, in the order given: later settings win. */
export interface ConfigSetting {
    readonly key: string;
    readonly value: string;
    readonly secret: boolean;
}

export interface CheckOptions {
    readonly help: boolean;
    /** A .ts file or a directory; undefined means this project's own program. */
    readonly program?: string;
    readonly stack: string;
    /** True when --stack was given: then a missing stack file is an error. */
    readonly stackExplicit: boolean;
    readonly json: boolean;
    /** Judge as `pulumi preview` of a new stack: every value a provider assigns on create is unknown. */
    readonly preview: boolean;
    readonly configFiles: readonly string[];
    readonly settings: readonly ConfigSetting[];
    readonly policyConfig?: string;
}

/** A problem with the command line itself. */
export class UsageError extends Error {}

export const DEFAULT_STACK = "dev";

export const USAGE = `Usage: npm run --silent policy:check -- [options]

Runs a Pulumi TypeScript program under recording mocks (no cloud, no Docker, no Pulumi CLI), then judges every
registered resource with the bulwark policy pack, started as the Pulumi CLI starts it: each resource's checked
inputs through the analyzer's Analyze, then the whole stack's outputs through AnalyzeStack. Without --preview it
judges as \`pulumi up --policy-pack policies\` does, every output known; with --preview as \`pulumi preview\` of a
new stack, where every value a provider assigns on create (IDs, built images, generated secrets) is unknown.

Options:
  --program <file.ts|dir>   The program to check. A directory's entry is its package.json "main", else index.ts.
                            Its project (the folder holding Pulumi.yaml) is found upward from this path.
                            Default: this project's own program (infra/index.ts).
  --stack <name>            Reads Pulumi.<name>.yaml beside Pulumi.yaml (default: ${DEFAULT_STACK}; a missing file
                            is fine only for the default).
  --config-file <yaml>      Extra config, same shape as a stack file, plus a \`secrets:\` map whose values are
                            passed as secret config (repeatable; later files win):
                              config:
                                bulwark:domain: app.example.com
                              secrets:
                                bulwark:googleClientSecret: "..."
                            Keys without a namespace get the project's.
  --config <key>=<value>    One plain config value (repeatable; wins over files).
  --secret <key>=<value>    One secret config value (repeatable; wins over files). Values that the stack file
                            holds as \`secure:\` ciphertext cannot be decrypted here and must be supplied this way
                            or under \`secrets:\` in a --config-file.
  --policy-config <json>    Policy pack config, as for \`pulumi preview --policy-pack-config\`: policy name ->
                            enforcement level, or an object with enforcementLevel and the policy's settings.
  --preview                 Judge as a preview of a new stack (see above). A check that needs a value unknown
                            until apply refuses it: a violation at its policy's level whose message names the
                            value and how to make it known, listed again under inconclusive.
  --json                    Print exactly one JSON object on stdout:
                              {"resources": N, "mode": "update"|"preview",
                               "violations": [{"policy","level","urn","message","controls"}],
                               "inconclusive": [{"policy","level","urn","field","kind"}]}
                            or {"error": "..."} when the program cannot be evaluated. kind "refused": the
                            policy ran its other checks and refused this unknown value (also one of the
                            violations); "cant-run": the analyzer skipped the whole policy.
  --help                    Print this help.

Exit status: 0 no mandatory violation; 1 at least one mandatory violation; 2 the program or the arguments could
not be evaluated (unknown flag, missing file, the program threw, a secret value not supplied).`;

const VALUE_FLAGS = ["--program", "--stack", "--config-file", "--config", "--secret", "--policy-config"] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

function isValueFlag(flag: string): flag is ValueFlag {
    return (VALUE_FLAGS as readonly string[]).includes(flag);
}

/** Splits "key=value" at the first "="; the value may itself contain "=". */
function parseSetting(flag: string, text: string): ConfigSetting {
    const at = text.indexOf("=");
    if (at <= 0) {
        throw new UsageError(`${flag} expects key=value, got ${JSON.stringify(text)}`);
    }
    return { key: text.slice(0, at), value: text.slice(at + 1), secret: flag === "--secret" };
}

/** Turns argv (without node and the script) into options; throws UsageError on anything it does not know. */
export function parseArgs(argv: readonly string[]): CheckOptions {
    let program: string | undefined;
    let stack: string | undefined;
    let policyConfig: string | undefined;
    let json = false;
    let help = false;
    let preview = false;
    const configFiles: string[] = [];
    const settings: ConfigSetting[] = [];

    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const flag = eq > 0 ? arg.slice(0, eq) : arg;
        if (flag === "--json" || flag === "--help" || flag === "-h" || flag === "--preview") {
            if (eq > 0) {
                throw new UsageError(`${flag} takes no value`);
            }
            if (flag === "--json") {
                json = true;
            } else if (flag === "--preview") {
                preview = true;
            } else {
                help = true;
            }
            continue;
        }
        if (!isValueFlag(flag)) {
            throw new UsageError(arg.startsWith("-") ? `unknown option ${flag}` : `unexpected argument ${JSON.stringify(arg)}`);
        }
        const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || value === "") {
            throw new UsageError(`${flag} needs a value`);
        }
        switch (flag) {
            case "--program":
                program = value;
                break;
            case "--stack":
                stack = value;
                break;
            case "--policy-config":
                policyConfig = value;
                break;
            case "--config-file":
                configFiles.push(value);
                break;
            case "--config":
            case "--secret":
                settings.push(parseSetting(flag, value));
                break;
        }
    }
    return { help, program, stack: stack ?? DEFAULT_STACK, stackExplicit: stack !== undefined, json, preview, configFiles, settings, policyConfig };
}
