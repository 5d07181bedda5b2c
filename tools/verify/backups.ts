// The live audit's backup rows: the newest backup's age and encryption, the local retention, and the last
// restore drill's result, read from the backup volumes through the backup containers themselves (formats in
// images/backup/README.md). Each definition names its controls in a `controls: [...]` literal.
import { type ControlId, SECRET_NAME } from "bulwark-vocabulary";
import { Engine } from "../runtime/engine-api";
import { Check, Outcome } from "./checks";
import { ContainerInfo, envValue, StackState } from "./containers";

export interface BackupFacts {
    readonly job?: ContainerInfo;
    readonly drill?: ContainerInfo;
    /** Names of complete backups (manifest and data file present), oldest first. */
    readonly complete: readonly string[];
    readonly newest?: { readonly name: string; readonly time: string; readonly sizeBytes: number; readonly recipient: string; readonly tool: string };
    readonly lastDrill?: { readonly pass: boolean; readonly time: string; readonly backup: string; readonly reason: string };
    readonly now: Date;
}

const health = (c: ContainerInfo | undefined) => c?.inspect.State.Health?.Status ?? "none";

async function execText(engine: Engine, c: ContainerInfo, script: string): Promise<string> {
    const res = await engine.exec(c.inspect.Id, ["sh", "-c", script]);
    if (res.exitCode !== 0) {
        throw new Error(`${c.name}: ${res.stderr.trim() || `exit ${res.exitCode}`}`);
    }
    return res.stdout;
}

export async function readBackupFacts(engine: Engine, state: StackState, now = new Date()): Promise<BackupFacts> {
    const job = state.containers.find((c) => c.role === "backup");
    const drill = state.containers.find((c) => c.role === "backup-drill");
    let complete: string[] = [];
    let newest: BackupFacts["newest"];
    if (job) {
        const dir = envValue(job, "BACKUP_DIR") ?? "/backups";
        // A backup is complete only when its manifest and its data file both exist.
        const listing = await execText(engine, job, `cd '${dir}' && for m in bulwark-*.json; do [ -f "$m" ] && [ -f "\${m%.json}.dump.zst.age" ] && echo "\${m%.json}"; done; true`);
        complete = listing.split("\n").filter(Boolean).sort();
        const last = complete[complete.length - 1];
        if (last) {
            const manifest = JSON.parse(await execText(engine, job, `cat '${dir}/${last}.json'`));
            newest = {
                name: last,
                time: manifest.time,
                sizeBytes: manifest.sizeBytes,
                recipient: manifest.encryption?.recipient ?? "",
                tool: manifest.encryption?.tool ?? "",
            };
        }
    }
    let lastDrill: BackupFacts["lastDrill"];
    if (drill) {
        const dir = envValue(drill, "DRILL_REPORT_DIR") ?? "/var/lib/bulwark/drill";
        const text = await execText(engine, drill, `[ -f '${dir}/last.json' ] && cat '${dir}/last.json' || true`);
        if (text.trim()) {
            const report = JSON.parse(text);
            lastDrill = { pass: report.pass === true, time: report.time, backup: report.backup ?? "?", reason: report.reason ?? "" };
        }
    }
    return { job, drill, complete, newest, lastDrill, now };
}

function age(from: string, now: Date): string {
    const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(from)) / 60000));
    return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

export type BackupCheck = Check<(facts: BackupFacts) => Outcome>;

export const BACKUP_CHECKS: readonly BackupCheck[] = [
    {
        name: "backup-newest",
        controls: ["DB-03", "BAK-01"],
        run: ({ job, newest, now }) => {
            if (!job) return { ok: false, detail: "no container labelled bulwark.role=backup" };
            // The job's own health check knows the schedule: it fails when the newest backup is overdue.
            const jobHealth = health(job);
            if (!newest) {
                return jobHealth === "healthy"
                    ? { ok: true, detail: "no backup yet; the job is healthy, so the first scheduled run is not due" }
                    : { ok: false, detail: `no backup, and the backup job is ${jobHealth}` };
            }
            const encrypted = newest.tool === "age" && newest.recipient.startsWith("age1");
            const detail = `newest ${newest.name}, ${age(newest.time, now)} old, ${(newest.sizeBytes / 1e6).toFixed(1)} MB, encrypted with ${newest.tool || "?"} to ${newest.recipient.slice(0, 16)}…; job ${jobHealth}`;
            return { ok: encrypted && jobHealth === "healthy", detail };
        },
    },
    {
        name: "backup-retention",
        controls: ["BAK-04", "CMP-01"],
        run: ({ job, complete }) => {
            if (!job) return { ok: false, detail: "no container labelled bulwark.role=backup" };
            const keep = ["DAILY", "WEEKLY", "MONTHLY"].map((k) => Number(envValue(job, `BACKUP_KEEP_${k}`)));
            if (!keep.every((n) => Number.isInteger(n) && n >= 0) || keep[0] < 1) {
                return { ok: false, detail: `BACKUP_KEEP_DAILY/WEEKLY/MONTHLY are ${keep.join("/")}; daily must be >= 1` };
            }
            // At most one backup per kept day, week and month, plus the newest verified one.
            const bound = keep[0] + keep[1] + keep[2] + 1;
            return complete.length <= bound
                ? { ok: true, detail: `${complete.length} backup(s) kept; retention ${keep.join("/")} (daily/weekly/monthly) allows ${bound}` }
                : { ok: false, detail: `${complete.length} backups kept, more than retention ${keep.join("/")} allows (${bound}): rotation is not running` };
        },
    },
    {
        name: "restore-drill-last",
        controls: ["BAK-03"],
        run: ({ drill, lastDrill, now }) => {
            if (!drill) return { ok: false, detail: "no container labelled bulwark.role=backup-drill" };
            if (!lastDrill) {
                const drillHealth = health(drill);
                return drillHealth === "healthy"
                    ? { ok: true, detail: "no drill yet; the drill container is healthy and waits for its schedule" }
                    : { ok: false, detail: `no drill result, and the drill container is ${drillHealth}` };
            }
            const detail = `${lastDrill.pass ? "passed" : "FAILED"} ${age(lastDrill.time, now)} ago on ${lastDrill.backup}: ${lastDrill.reason}`;
            return { ok: lastDrill.pass, detail };
        },
    },
];

/** Variables that carry a secret without the policy's secret-looking name. */
const SECRET_BEARING_NAME = /(AGE_IDENTITY|DATABASE_URL)/i;

/** SEC-03: secret values stay out of what `docker inspect` shows beyond the environment. */
export const SECRET_EXPOSURE_CHECK = {
    name: "secrets-not-in-args-or-labels",
    controls: ["SEC-03"] as readonly ControlId[],
    run: (c: ContainerInfo): Outcome => {
        const secrets = (c.inspect.Config.Env ?? [])
            .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] as const)
            .filter(([name, value]) => (SECRET_NAME.test(name) || SECRET_BEARING_NAME.test(name)) && value.length >= 8);
        const exposed = [
            ...(c.inspect.Config.Cmd ?? []),
            ...(c.inspect.Config.Entrypoint ?? []),
            ...Object.values(c.inspect.Config.Labels ?? {}),
            ...(c.inspect.Config.Healthcheck?.Test ?? []),
        ].join("\n");
        const leaked = secrets.filter(([, value]) => exposed.includes(value)).map(([name]) => name);
        return leaked.length
            ? { ok: false, detail: `the value of ${leaked.join(", ")} appears in the command, labels or health check` }
            : { ok: true, detail: `${secrets.length} secret variable(s); none appears in the command, labels or health check` };
    },
};
