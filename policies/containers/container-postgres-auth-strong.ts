// DB-01/DB-02: PostgreSQL authenticates every connection with SCRAM. The official image's entrypoint writes
// `host all all all $POSTGRES_HOST_AUTH_METHOD` into pg_hba.conf and passes POSTGRES_INITDB_ARGS to initdb, and the
// server takes `-c name=value` / `--name=value` settings on its command line; any of them can switch to `trust` (no
// password at all), `password` (clear text) or `md5`, or point pg_hba elsewhere. This runs on every container,
// labelled or not: an image that is Postgres under another name reads the same variables. Allow-list: the only
// method accepted is scram-sha-256 (and `peer` for local socket connections in initdb); nothing may replace the
// hba, ident or config file.
import { isUnknown } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { containerLabel, validateContainer } from "../lib/docker-refs";

const SCRAM = "scram-sha-256";
/** Settings that move authentication or the whole configuration out of the reviewed command line. */
const FILE_SETTINGS = new Set(["hba_file", "ident_file", "config_file"]);

/** A `-c`/`--` setting name as the server reads it: dashes are underscores, case does not matter. */
function settingName(name: string): string {
    return name.trim().toLowerCase().replace(/-/g, "_");
}

/** The server settings a command line gives: ["-c", "a=b"], ["-ca=b"], ["--a=b"], ["--a", "b"]. */
export function commandSettings(command: readonly string[]): { name: string; value: string }[] {
    const settings: { name: string; value: string }[] = [];
    const add = (text: string) => {
        const eq = text.indexOf("=");
        settings.push(eq < 0 ? { name: settingName(text), value: "" } : { name: settingName(text.slice(0, eq)), value: text.slice(eq + 1) });
    };
    for (let i = 0; i < command.length; i++) {
        const arg = command[i];
        if (arg === "-c" && i + 1 < command.length) {
            add(command[++i]);
        } else if (arg.startsWith("-c") && arg.length > 2) {
            add(arg.slice(2));
        } else if (arg.startsWith("--") && arg.length > 2) {
            const body = arg.slice(2);
            if (body.includes("=")) {
                add(body);
            } else if (i + 1 < command.length) {
                add(`${body}=${command[++i]}`);
            }
        }
    }
    // A shell command line (`sh -c "postgres -c hba_file=..."`) carries the same settings inside one argument.
    const text = command.join(" ");
    for (const m of text.matchAll(/(?:^|[\s'"])(?:-c\s*|--)([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s'"]*)/g)) {
        add(`${m[1]}=${m[2].replace(/^['"]|['"]$/g, "")}`);
    }
    const seen = new Set<string>();
    return settings.filter((s) => !seen.has(`${s.name}=${s.value}`) && !!seen.add(`${s.name}=${s.value}`));
}

/** A setting's value for a message: short method names are shown, anything else is not (it could be anything). */
function shown(value: string): string {
    return /^[A-Za-z0-9_-]{0,20}$/.test(value) ? JSON.stringify(value) : "(a value)";
}

/** initdb's authentication options in POSTGRES_INITDB_ARGS: -A m, -Am, --auth=m, --auth m, --auth-host=m, --auth-local=m. */
export function initdbAuth(args: string): { option: string; method: string }[] {
    const words = args.split(/\s+/).filter(Boolean);
    const found: { option: string; method: string }[] = [];
    for (let i = 0; i < words.length; i++) {
        const word = words[i];
        const match = /^(--auth(?:-host|-local)?|-A)(?:=(.*)|(.+))?$/.exec(word);
        if (!match || (match[1] !== "-A" && match[3] !== undefined)) {
            continue;
        }
        const method = match[2] ?? match[3] ?? words[++i] ?? "";
        found.push({ option: match[1] === "-A" ? "--auth" : match[1], method: method.replace(/^['"]|['"]$/g, "") });
    }
    return found;
}

export const containerPostgresAuthStrong = resourcePolicy({
    name: "container-postgres-auth-strong",
    controls: ["DB-01", "DB-02"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "No container switches PostgreSQL to a weaker authentication than scram-sha-256: POSTGRES_HOST_AUTH_METHOD " +
        "is scram-sha-256 if set; POSTGRES_INITDB_ARGS sets no --auth/--auth-host/-A other than scram-sha-256 (and " +
        "--auth-local only scram-sha-256 or peer); the command sets no password_encryption other than scram-sha-256 " +
        "and no hba_file, ident_file or config_file. Applies to every container, whatever its role label.",
    remediationSteps:
        "Remove POSTGRES_HOST_AUTH_METHOD (the image then uses scram-sha-256) or set it to scram-sha-256, drop " +
        "trust/password/md5 from POSTGRES_INITDB_ARGS, pass `-c password_encryption=scram-sha-256`, and keep pg_hba " +
        "in the image (the database image's own hba template) instead of pointing hba_file elsewhere.",
    validateResource: validateContainer((props, args, reportViolation) => {
        const label = containerLabel(props, args.name);
        const raw = props as unknown as { envs?: unknown; command?: unknown };
        const envs = Array.isArray(raw.envs) ? raw.envs : [];
        if (isUnknown(raw.envs)) {
            markUndecided(args, args.urn, "envs");
        }
        for (const entry of envs) {
            if (typeof entry !== "string" || isUnknown(entry)) {
                continue;
            }
            const eq = entry.indexOf("=");
            const name = eq < 0 ? entry : entry.slice(0, eq);
            const value = eq < 0 ? "" : entry.slice(eq + 1);
            const key = name.toUpperCase();
            if (key === "POSTGRES_HOST_AUTH_METHOD" && value !== SCRAM) {
                reportViolation(
                    `[DB-01] Container ${label}: env ${name}=${shown(value)} makes pg_hba accept connections ` +
                        `without SCRAM (only ${SCRAM} is allowed). Remove it or set it to ${SCRAM}.`,
                );
            }
            if (key === "POSTGRES_INITDB_ARGS") {
                for (const { option, method } of initdbAuth(value)) {
                    const allowed = option === "--auth-local" ? [SCRAM, "peer"] : [SCRAM];
                    if (!allowed.includes(method)) {
                        reportViolation(
                            `[DB-01] Container ${label}: env ${name} gives initdb ${option}=${shown(method)}; only ` +
                                `${allowed.join(" or ")} is allowed. Remove the option or set it to ${SCRAM}.`,
                        );
                    }
                }
            }
        }
        const command = raw.command;
        if (isUnknown(command) || (Array.isArray(command) && command.some(isUnknown))) {
            markUndecided(args, args.urn, "command");
        }
        if (Array.isArray(command)) {
            for (const { name, value } of commandSettings(command.filter((c): c is string => typeof c === "string" && !isUnknown(c)))) {
                if (name === "password_encryption" && value.trim().toLowerCase() !== SCRAM) {
                    reportViolation(
                        `[DB-01] Container ${label}: command sets password_encryption=${shown(value)}; passwords ` +
                            `must be stored as ${SCRAM}. Pass \`-c password_encryption=${SCRAM}\`.`,
                    );
                }
                if (FILE_SETTINGS.has(name)) {
                    reportViolation(
                        `[DB-02] Container ${label}: command sets ${name}, which moves authentication rules out of the ` +
                            "reviewed image and command line. Remove it; keep pg_hba in the database image.",
                    );
                }
            }
        }
    }),
});
