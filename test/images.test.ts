// What the Dockerfiles promise, read statically so it holds without a Docker engine (the runtime suite builds
// and runs them): the pinned official base, a multi-stage build, the fixed non-root uid, the health probe and the
// hardening step they share (images/shared/harden.sh).
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isSecretEnvName } from "bulwark-vocabulary";
import { BACKUP_USERS, BUILT_IMAGES, IMAGE_USERS, IMAGES_DIR } from "../infra/components/images";
import { DEFAULT_BASE_IMAGE } from "../infra/config";
import { ensureBaseImage } from "../tools/runtime/images";

const dockerfile = (image: string) => fs.readFileSync(path.join(IMAGES_DIR, image, "Dockerfile"), "utf8");
const instructions = (text: string) =>
    text
        .replace(/\\\n/g, " ")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"));

// --- Dockerfile rules (CIS Docker Benchmark section 4, hadolint, KICS, Checkov), read from the text -----------
// Each checker takes a Dockerfile's text and returns its problems (none: it meets the rule), so that a test can
// feed it a bad example directly and see it fail.

interface Instruction {
    /** Upper-case keyword: RUN, COPY, ... */
    readonly keyword: string;
    /** The rest, continuation lines joined with a space. */
    readonly args: string;
    /** 1-based line of the keyword. */
    readonly line: number;
    /** Index of the build stage (FROM) it belongs to; -1 before the first FROM (global ARGs). */
    readonly stage: number;
}

/** The instructions, as BuildKit's parser reads them: `\` continues a line, and comment and blank lines inside a continuation are dropped. */
function parseDockerfile(text: string): Instruction[] {
    const out: Instruction[] = [];
    let stage = -1;
    let pending: { parts: string[]; line: number } | undefined;
    text.split("\n").forEach((raw, i) => {
        const line = raw.trim();
        if (pending && (line === "" || line.startsWith("#"))) return;
        if (!pending) {
            if (line === "" || line.startsWith("#")) return;
            pending = { parts: [], line: i + 1 };
        }
        const continued = /(^|[^\\])\\$/.test(line);
        pending.parts.push(continued ? line.slice(0, -1).trim() : line);
        if (continued) return;
        const joined = pending.parts.join(" ");
        const [, keyword, args] = /^(\S+)\s*([\s\S]*)$/.exec(joined)!;
        if (/^FROM$/i.test(keyword)) stage++;
        out.push({ keyword: keyword.toUpperCase(), args, line: pending.line, stage });
        pending = undefined;
    });
    return out;
}

const at = (i: Instruction) => `line ${i.line}: ${i.keyword} ${i.args.length > 80 ? `${i.args.slice(0, 77)}...` : i.args}`;

/** A RUN's exec form (JSON array), or undefined for the shell form. */
function execForm(args: string): string[] | undefined {
    if (!args.startsWith("[")) return undefined;
    try {
        const a = JSON.parse(args) as unknown;
        return Array.isArray(a) && a.every((x) => typeof x === "string") ? (a as string[]) : undefined;
    } catch {
        return undefined;
    }
}

/** A RUN's command line with its quoted strings blanked (a `|` in a quoted regex is not a pipe). */
const unquoted = (command: string) => command.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "''");

/** Index of the first pipe (`|` or `|&`, not `||`) in a shell command line, or -1. */
function firstPipe(command: string): number {
    const m = /(^|[^|])\|(?!\|)/.exec(unquoted(command));
    return m ? m.index + m[1].length : -1;
}

/** CIS 4.9 / hadolint DL3020 / KICS "Add Instead of Copy": ADD fetches URLs and unpacks archives; COPY only copies. */
function checkNoAdd(text: string): string[] {
    return parseDockerfile(text)
        .filter((i) => i.keyword === "ADD")
        .map((i) => `${at(i)}: use COPY (ADD can fetch a URL or unpack an archive)`);
}

const SHELL_OR_INTERPRETER = String.raw`(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\S+=\S*\s+)*)?(?:\S*/)?(?:ba|da|z|k|a)?sh\b|python[0-9.]*\b|perl\b|ruby\b|node\b`;
const PIPE_TO_SHELL = new RegExp(String.raw`\b(?:curl|wget)\b[^|;&]*\|&?\s*(?:${SHELL_OR_INTERPRETER})`);
const SHELL_OF_DOWNLOAD = new RegExp(String.raw`(?:^|[\s;&|(])(?:${SHELL_OR_INTERPRETER})[^;&|]*(?:<\(|\$\(|\x60)\s*(?:curl|wget)\b`);

/** CIS 4.11 (verified packages only) / KICS: no download piped into a shell; packages come from the signed archive. */
function checkNoPipeToShell(text: string): string[] {
    return parseDockerfile(text)
        .filter((i) => i.keyword === "RUN")
        .filter((i) => {
            const command = execForm(i.args)?.join(" ") ?? i.args;
            return PIPE_TO_SHELL.test(command) || SHELL_OF_DOWNLOAD.test(command);
        })
        .map((i) => `${at(i)}: a download runs unverified in a shell; install from the signed Debian archive`);
}

/** Shells whose `-o pipefail` works. Debian's /bin/sh is dash, which refuses it (bookworm's dash 0.5.12). */
const PIPEFAIL_SHELL = /^(?:\S*\/)?(?:bash|zsh|ksh|mksh|ash)$/;

/**
 * hadolint DL4006: a RUN with a pipe runs with pipefail, so a failing command before the pipe fails the build.
 * The default shell is /bin/sh -c, dash on Debian, which has no pipefail: the stage sets
 * SHELL ["/bin/bash", "-o", "pipefail", "-c"] (or a bash SHELL, and the RUN starts with `set -o pipefail`).
 * A stage FROM another stage of the file inherits its SHELL.
 */
function checkPipefail(text: string): string[] {
    const problems: string[] = [];
    const stageShell: string[][] = [];
    const stageNames = new Map<string, number>();
    let shell = ["/bin/sh", "-c"];
    for (const i of parseDockerfile(text)) {
        if (i.keyword === "FROM") {
            const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(i.args) ?? [];
            shell = stageNames.has(from?.toLowerCase()) ? [...stageShell[stageNames.get(from.toLowerCase())!]] : ["/bin/sh", "-c"];
            if (name) stageNames.set(name.toLowerCase(), i.stage);
        } else if (i.keyword === "SHELL") {
            shell = execForm(i.args) ?? shell;
        } else if (i.keyword === "RUN") {
            const exec = execForm(i.args);
            // An exec-form RUN is its own shell: ["bash", "-o", "pipefail", "-c", "..."].
            if (exec && !exec.includes("-c")) continue;
            const [sh, command] = exec ? [exec.slice(0, exec.indexOf("-c")), exec[exec.indexOf("-c") + 1]] : [shell.slice(0, Math.max(0, shell.indexOf("-c"))), i.args];
            if (command === undefined) continue;
            const pipe = firstPipe(command);
            if (pipe < 0) continue;
            const capable = sh.length > 0 && PIPEFAIL_SHELL.test(sh[0]);
            const optionOn = sh.some((a, k) => /^-[a-z]*o$/.test(a) && sh[k + 1] === "pipefail");
            const setOn = /(?:^|[;&\s])set\s+(?:-[a-z]+\s+)*-[a-z]*o\s+pipefail\b/.test(unquoted(command).slice(0, pipe));
            if (!capable) {
                problems.push(`${at(i)}: a pipe under ${JSON.stringify(sh)}, which has no pipefail (Debian's sh is dash); set SHELL ["/bin/bash", "-o", "pipefail", "-c"] first`);
            } else if (!optionOn && !setOn) {
                problems.push(`${at(i)}: a pipe without pipefail; SHELL ["/bin/bash", "-o", "pipefail", "-c"], or \`set -o pipefail\` before it`);
            }
        }
        if (i.stage >= 0) stageShell[i.stage] = shell;
    }
    return problems;
}

/** Names an ENV or ARG instruction defines (ENV a=1 b=2, legacy ENV a 1, ARG a[=default]). */
function definedNames(i: Instruction): string[] {
    const args = unquoted(i.args).trim();
    if (i.keyword === "ARG") return args.split(/\s+/).map((a) => a.split("=")[0]).filter(Boolean);
    const first = args.split(/\s+/)[0] ?? "";
    if (!first.includes("=")) return first ? [first] : [];
    return [...args.matchAll(/(?:^|\s)([^\s=]+)=/g)].map((m) => m[1]);
}

/** CIS 4.10 / KICS "Passwords And Secrets" / Checkov CKV_DOCKER_*: no secret in ENV or ARG (both stay in the image's history). */
function checkNoSecretEnv(text: string): string[] {
    return parseDockerfile(text)
        .filter((i) => i.keyword === "ENV" || i.keyword === "ARG")
        .flatMap((i) => definedNames(i).filter(isSecretEnvName).map((name) => `${at(i)}: ${name} names a secret; pass it at run time (a file or the stack's env), never in the image`));
}

const APT = String.raw`\bapt(?:-get)?\s+(?:-\S+\s+)*`;
const APT_UPDATE = new RegExp(`${APT}update\\b`);
const APT_FETCHING = new RegExp(`${APT}(?:update|install|upgrade|dist-upgrade|full-upgrade)\\b`, "g");
// One command's words only: a path list never reaches across `;`, `&&` or `|` to another command's.
const RM_LISTS = /\brm\s+(?:[^\s;&|]+\s+)*\/var\/lib\/apt\/lists(?:\/\*|\/)?(?=[\s;&|)]|$)/g;

// The hardening every image's build stage ends with, the same for all (images/shared/harden.sh): copied in from
// the context (images/) and run with sh, since the classic builder has no COPY --chmod or RUN --mount; it removes
// itself. The rules below take the script's text as a parameter, so that a test can feed them a broken one.
const SHARED_COPY = "COPY shared/harden.sh /tmp/harden.sh";
const SHARED_RUN = "RUN sh /tmp/harden.sh";
const SHARED_SCRIPT = path.join(IMAGES_DIR, "shared", "harden.sh");
const sharedScript = () => fs.readFileSync(SHARED_SCRIPT, "utf8");
/** The script's commands as one command line: comment and blank lines dropped, one command a line, joined by `;`. */
const scriptCommands = (script: string) =>
    script
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"))
        .join("; ");

interface SharedStep {
    /** The RUN of the shared script, if the stage has one (its last). */
    readonly run?: Instruction;
    /** Whether the script is copied in before that RUN, in the same stage. */
    readonly copied: boolean;
    /** The RUN, COPY and ADD instructions after it: none, in a stage that ends with it. */
    readonly after: readonly Instruction[];
}

function sharedStep(all: readonly Instruction[], stage: number): SharedStep {
    const steps = all.filter((i) => i.stage === stage && (i.keyword === "RUN" || i.keyword === "COPY" || i.keyword === "ADD"));
    const is = (i: Instruction, line: string) => `${i.keyword} ${i.args}` === line;
    const k = steps.map((i) => is(i, SHARED_RUN)).lastIndexOf(true);
    if (k < 0) return { copied: false, after: [] };
    return { run: steps[k], copied: steps.slice(0, k).some((i) => is(i, SHARED_COPY)), after: steps.slice(k + 1) };
}

const SHARED = `the shared hardening step (${SHARED_COPY}, then ${SHARED_RUN})`;

/** Stage indexes by their `AS` name (lower case). */
const stageNames = (froms: readonly Instruction[]) => new Map(froms.map((f) => [(/\s+AS\s+(\S+)/i.exec(f.args)?.[1] ?? "").toLowerCase(), f.stage]));

/** Stages whose layers the final image is made of: the final stage, the stage it is FROM, and so on. */
function shippedStages(froms: readonly Instruction[]): Set<number> {
    const names = stageNames(froms);
    const out = new Set<number>();
    for (let s: number | undefined = froms.length - 1; s !== undefined && s >= 0 && !out.has(s); ) {
        out.add(s);
        const base: string | undefined = /^(?:--\S+\s+)*(\S+)/.exec(froms[s].args)?.[1]?.toLowerCase();
        s = base === undefined ? undefined : names.get(base);
    }
    return out;
}

/** What the shared script fails of DL3009: it removes the apt lists, after any apt-get that fetches them. */
function scriptRemovesLists(script: string): string[] {
    const command = scriptCommands(script);
    const lastApt = Math.max(-1, ...[...command.matchAll(APT_FETCHING)].map((m) => m.index!));
    return [...command.matchAll(RM_LISTS)].some((m) => m.index! > lastApt) ? [] : ["images/shared/harden.sh does not rm -rf /var/lib/apt/lists/* (after its last apt-get)"];
}

/**
 * hadolint DL3009 / CIS 4.7 / KICS "Apt Get Install Lists Were Not Deleted": no apt lists in the final image.
 * A build stage the final image only copies from ends with the shared step, which removes them (nothing after it
 * can fetch them again); a stage whose layers ship (the final one, or one it is FROM) removes them in the RUN
 * that ran apt-get update, after its last apt-get, since a later RUN cannot take them out of that layer.
 */
function checkAptLists(text: string, script = sharedScript()): string[] {
    const all = parseDockerfile(text);
    const shipped = shippedStages(all.filter((i) => i.keyword === "FROM"));
    const problems: string[] = [];
    let relies = false;
    for (const i of all.filter((x) => x.keyword === "RUN" && APT_UPDATE.test(x.args))) {
        if (shipped.has(i.stage)) {
            const lastApt = Math.max(...[...i.args.matchAll(APT_FETCHING)].map((m) => m.index!));
            if (![...i.args.matchAll(RM_LISTS)].some((m) => m.index! > lastApt)) {
                problems.push(`${at(i)}: runs apt-get update but does not rm -rf /var/lib/apt/lists/* after its last apt-get, in the same RUN (its layer is in the final image)`);
            }
            continue;
        }
        const step = sharedStep(all, i.stage);
        if (!step.run) {
            problems.push(`${at(i)}: runs apt-get update, and its build stage does not end with ${SHARED}, which removes the lists`);
        } else if (step.run.line < i.line) {
            problems.push(`${at(i)}: runs apt-get update after the shared hardening step, which removed the lists; that step must be the last of its build stage`);
        } else {
            relies = true;
        }
    }
    return relies ? [...problems, ...scriptRemovesLists(script)] : problems;
}

/** A RUN that removes every setuid/setgid bit: find / ... -perm /6000 (or +6000, /ug+s) ... chmod a-s (ug-s, u-s,g-s, -s). */
const STRIPS_SUID = (command: string) =>
    /\bfind\s+(?:-\S+\s+)*\/\s/.test(command) &&
    /-perm\s+[/+-]?(?:6000|ug\+s|u\+s,g\+s|g\+s,u\+s)\b/.test(command) &&
    /\bchmod\s+(?:-\S+\s+)*(?:a-s|ug-s|u-s,g-s|g-s,u-s|-s)(?=[\s;&|]|$)/.test(command);
/** A RUN that can add a setuid/setgid file: a package install, or a mode with an s bit (4755, u+s, g=rwxs). */
const S_MODE = String.raw`(?:0*[2-7][0-7]{3}\b|(?:[ugoa]*[-+=][rwxXt]*,)*[ugoa]*[+=][rwxXt]*s\b)`;
const ADDS_SUID = new RegExp(
    `${APT}(?:install|upgrade|dist-upgrade|full-upgrade)\\b|\\bdpkg\\s+(?:-\\S+\\s+)*(?:-i|--install)\\b` +
        `|\\bchmod\\s+(?:-\\S+\\s+)*${S_MODE}|\\binstall\\s[^;&|]*(?:-m\\s*|--mode=)${S_MODE}`,
);

/** What the shared script fails of CIS 4.8: it strips every setuid/setgid bit, and adds none after that. */
function scriptStrips(script: string): string[] {
    const command = scriptCommands(script);
    if (!STRIPS_SUID(command)) return ["images/shared/harden.sh does not remove setuid/setgid bits (find / -xdev -type f -perm /6000 -exec chmod a-s {} +)"];
    return ADDS_SUID.test(command.slice(command.lastIndexOf("-perm"))) ? ["images/shared/harden.sh can add a setuid/setgid file after its strip"] : [];
}

/**
 * CIS 4.8: no setuid/setgid file in the final image. Statically: the final stage is FROM scratch (or strips
 * itself), and every stage it copies from ends with the shared step, whose script strips the bits last: no RUN,
 * COPY or ADD after it could bring one back. (COPY from the build context brings none: git records only 0644
 * and 0755.)
 */
function checkNoSetuid(text: string, script = sharedScript()): string[] {
    const all = parseDockerfile(text);
    const froms = all.filter((i) => i.keyword === "FROM");
    if (froms.length === 0) return ["no FROM"];
    const final = froms.length - 1;
    const names = stageNames(froms);
    const sources = new Set<number>();
    for (const i of all.filter((x) => x.stage === final && x.keyword === "COPY")) {
        const from = /--from=(\S+)/.exec(i.args)?.[1]?.toLowerCase();
        if (from === undefined) continue;
        if (names.has(from)) sources.add(names.get(from)!);
        else if (/^\d+$/.test(from)) sources.add(Number(from));
    }
    if (!/^scratch$/i.test(froms[final].args.trim())) sources.add(final);
    const problems: string[] = [];
    let relies = false;
    for (const s of [...sources].sort()) {
        const step = sharedStep(all, s);
        if (!step.run) {
            problems.push(`stage ${s} (${froms[s].args}) goes into the final image without removing setuid/setgid bits: it does not end with ${SHARED}`);
            continue;
        }
        relies = true;
        if (!step.copied) problems.push(`${at(step.run)}: runs the shared hardening step without copying it in first (${SHARED_COPY})`);
        for (const i of step.after) {
            problems.push(
                i.keyword === "RUN" && ADDS_SUID.test(i.args)
                    ? `${at(i)}: can add a setuid/setgid file after the strip (the shared hardening step)`
                    : `${at(i)}: comes after the shared hardening step, which must be the last step of its build stage`,
            );
        }
    }
    return relies ? [...problems, ...scriptStrips(script)] : problems;
}

/** CIS 4.6 / KICS "Healthcheck Instruction Missing" / Checkov CKV_DOCKER_2: the final stage has a HEALTHCHECK (not NONE). */
function checkHealthcheck(text: string): string[] {
    const all = parseDockerfile(text);
    const final = Math.max(...all.map((i) => i.stage));
    const checks = all.filter((i) => i.stage === final && i.keyword === "HEALTHCHECK");
    const last = checks[checks.length - 1];
    if (!last) return ["the final stage has no HEALTHCHECK"];
    if (/^NONE$/i.test(last.args.trim())) return [`${at(last)}: the health check is switched off`];
    if (!/^(?:--\S+\s+)*CMD\s+\S/i.test(last.args)) return [`${at(last)}: no CMD`];
    return [];
}

/** Every rule, by the ids it stands for; the `it` titles name them. */
const DOCKERFILE_RULES: readonly { title: string; check: (text: string) => string[] }[] = [
    { title: "CIS 4.9 / hadolint DL3020 / KICS: COPY, never ADD", check: checkNoAdd },
    { title: "CIS 4.11 / KICS: no curl or wget piped into a shell", check: checkNoPipeToShell },
    { title: "hadolint DL4006: every RUN with a pipe runs under pipefail (bash, not dash)", check: checkPipefail },
    { title: "CIS 4.10 / KICS: no secret in ENV or ARG (vocabulary/secret-names.ts)", check: checkNoSecretEnv },
    { title: "hadolint DL3009 / CIS 4.7 / KICS: apt lists removed, by the shared hardening step that ends the build stage", check: checkAptLists },
    { title: "CIS 4.8: setuid/setgid bits stripped from everything the final image holds, by the shared hardening step that ends the build stage", check: checkNoSetuid },
    { title: "CIS 4.6 / KICS / Checkov CKV_DOCKER_2: a HEALTHCHECK in the final stage", check: checkHealthcheck },
];

describe("images/", () => {
    it("holds exactly the images the stack builds (plus base/ for registry-less hosts)", () => {
        const dirs = fs.readdirSync(IMAGES_DIR).filter((d) => fs.existsSync(path.join(IMAGES_DIR, d, "Dockerfile")));
        assert.deepEqual(dirs.sort(), [...BUILT_IMAGES].sort());
    });

    for (const image of BUILT_IMAGES) {
        describe(`images/${image}`, () => {
            const lines = instructions(dockerfile(image));
            const froms = lines.filter((l) => /^FROM\s/i.test(l));

            it("CON-01, CON-02: defaults BASE_IMAGE to the digest-pinned official base infra uses", () => {
                assert.ok(lines.includes(`ARG BASE_IMAGE=${DEFAULT_BASE_IMAGE}`), "ARG BASE_IMAGE default");
                assert.match(froms[0], /^FROM \$\{BASE_IMAGE\} AS \w+$/);
            });

            it("CON-04: is a multi-stage build whose final stage keeps only what a build stage produced", () => {
                assert.ok(froms.length >= 2, "one FROM only");
                const finalStage = lines.slice(lines.lastIndexOf(froms[froms.length - 1]));
                assert.equal(froms[froms.length - 1], "FROM scratch");
                assert.ok(finalStage.some((l) => /^COPY --from=\w+ /.test(l)), "the final stage copies from a build stage");
                assert.ok(!finalStage.some((l) => /^RUN\s/.test(l)), "no RUN in the final stage: nothing is installed there");
            });

            it("CON-05: runs as the fixed numeric non-root uid infra gives it", () => {
                const users = lines.filter((l) => /^USER\s/.test(l));
                assert.equal(users[users.length - 1], `USER ${IMAGE_USERS[image]}`);
            });

            if (image === "backup") {
                it("CON-05, CON-08: creates the user of each backup container (job, drill, uploader) with its uid and group", () => {
                    for (const [container, user] of Object.entries(BACKUP_USERS)) {
                        const [uid, gid] = user.split(":");
                        assert.ok(
                            lines.some((l) => new RegExp(`\\buseradd --uid ${uid} --gid ${gid}\\b`).test(l)),
                            `images/backup/Dockerfile creates no user ${uid} in group ${gid} for the ${container}`,
                        );
                    }
                });
            }

            it("copies from the context (all of images/) only its own directory and the shared hardening step", () => {
                const sources = parseDockerfile(dockerfile(image))
                    .filter((i) => i.keyword === "COPY" && !/--from=/.test(i.args))
                    .flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith("--")).slice(0, -1));
                assert.ok(sources.length > 0);
                for (const src of sources) assert.ok(src.startsWith(`${image}/`) || src === "shared/harden.sh", `images/${image}/Dockerfile copies ${src}`);
            });

            it("LOG-05: ships the health probe infra runs (/usr/local/bin/healthcheck)", () => {
                assert.ok(fs.existsSync(path.join(IMAGES_DIR, image, "bin", "healthcheck")), "bin/healthcheck in the build context");
                assert.ok((fs.statSync(path.join(IMAGES_DIR, image, "bin", "healthcheck")).mode & 0o111) !== 0, "executable");
            });
        });
    }
});

// Every Dockerfile under images/ (base/ is a script, not a Dockerfile), whether or not infra builds it yet, so
// that a new image meets the rules before it is wired in.
describe("images/*/Dockerfile: the static rules", () => {
    const withDockerfile = fs.readdirSync(IMAGES_DIR).filter((d) => fs.existsSync(path.join(IMAGES_DIR, d, "Dockerfile")));

    it("covers every image the stack builds", () => {
        for (const image of BUILT_IMAGES) assert.ok(withDockerfile.includes(image), `images/${image}/Dockerfile`);
    });

    for (const image of withDockerfile) {
        describe(`images/${image}/Dockerfile`, () => {
            for (const rule of DOCKERFILE_RULES) {
                it(rule.title, () => assert.deepEqual(rule.check(dockerfile(image)), []));
            }
        });
    }
});

// The script itself: what the DL3009 and CIS 4.8 rules need of it, run as the build step only, and written for
// Debian's sh.
describe("images/shared/harden.sh: the hardening step every image ends its build stage with", () => {
    const script = sharedScript();

    it("DL3009 / CIS 4.7 / CIS 4.8: removes the apt lists, and strips every setuid/setgid bit last", () => {
        assert.deepEqual(scriptRemovesLists(script), []);
        assert.deepEqual(scriptStrips(script), []);
        assert.match(scriptCommands(script), /-exec chmod a-s \{\} \+$/, "the strip is the script's last command");
    });

    it("removes the package cache, logs, man pages, info, locales and docs except the copyright files", () => {
        assert.match(script, /^apt-get clean$/m);
        assert.match(script, /^rm -rf .*\/var\/cache\/apt\/\* \/var\/log\/\* \/usr\/share\/man\/\* \/usr\/share\/info\/\* \/usr\/share\/locale\/\*$/m);
        assert.match(script, /^find \/usr\/share\/doc -mindepth 1 ! -type d ! -name copyright -delete$/m);
    });

    it("removes itself, and runs under Debian's sh with set -eu and no pipe (dash has no pipefail)", () => {
        assert.match(script, /^rm -f -- "\$0"$/m);
        assert.match(script, /^set -eux$/m);
        assert.ok(firstPipe(scriptCommands(script)) < 0, "a pipe");
        const syntax = spawnSync("sh", ["-n", SHARED_SCRIPT], { encoding: "utf8" });
        assert.equal(syntax.status, 0, syntax.stderr);
    });

    it("refuses to run anywhere but as the build step (sh /tmp/harden.sh), before it changes anything", () => {
        // Every command it could run is a stand-in that records its name: nothing on this host is touched.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-harden-"));
        try {
            const ran = path.join(dir, "ran");
            for (const name of ["rm", "apt-get", "find", "chmod"]) {
                fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho ${name} >> ${JSON.stringify(ran)}\n`, { mode: 0o755 });
            }
            const copy = path.join(dir, "harden.sh");
            fs.copyFileSync(SHARED_SCRIPT, copy);
            const r = spawnSync("/bin/sh", [copy], { encoding: "utf8", env: { PATH: dir } });
            assert.equal(r.status, 2, r.stderr);
            assert.match(r.stderr, /runs only as an image's build step \(sh \/tmp\/harden\.sh\)/);
            assert.ok(!fs.existsSync(ran), `ran: ${fs.existsSync(ran) ? fs.readFileSync(ran, "utf8") : ""}`);
            assert.ok(fs.existsSync(copy), "removed itself");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

// Each rule fails: a real Dockerfile (images/proxy's, which meets them all) broken one way at a time, in memory,
// and small examples for the cases between.
describe("the static Dockerfile rules reject what they forbid", () => {
    const good = dockerfile("proxy");
    const COPY_BIN = "COPY proxy/bin/ /usr/local/bin/\n";
    const STEP = `${SHARED_COPY}\n${SHARED_RUN}\n`;
    /** The proxy's Dockerfile with `extra` added to its build stage, after the shared hardening step (the strip). */
    const withBuildStep = (extra: string) => {
        assert.ok(good.includes(STEP), "images/proxy/Dockerfile runs the shared hardening step");
        return good.replace(STEP, `${STEP}${extra}\n`);
    };
    const replaced = (from: string | RegExp, to: string) => {
        const out = good.replace(from, to);
        assert.notEqual(out, good, `images/proxy/Dockerfile has no ${from}`);
        return out;
    };
    /** The shared script broken one way. */
    const brokenScript = (from: string | RegExp, to: string) => {
        const out = sharedScript().replace(from, to);
        assert.notEqual(out, sharedScript(), `images/shared/harden.sh has no ${from}`);
        return out;
    };
    const rejects = (check: (text: string) => string[], text: string, why: RegExp) => {
        const problems = check(text);
        assert.ok(problems.length > 0, "accepted");
        assert.match(problems.join("\n"), why);
    };
    /** A minimal two-stage Dockerfile that meets every rule, with `build` as its build stage's steps. */
    const tiny = (build: string, final = 'HEALTHCHECK CMD ["/usr/local/bin/healthcheck"]') =>
        `FROM debian AS build\n${build}\n${STEP}FROM scratch\nCOPY --from=build / /\n${final}\n`;

    it("images/proxy/Dockerfile, the base of the broken copies, meets every rule", () => {
        for (const rule of DOCKERFILE_RULES) assert.deepEqual(rule.check(good), [], rule.title);
        for (const rule of DOCKERFILE_RULES) assert.deepEqual(rule.check(tiny("RUN true")), [], rule.title);
    });

    it("CIS 4.9 / DL3020: rejects ADD", () => {
        rejects(checkNoAdd, replaced(COPY_BIN, "ADD proxy/bin/ /usr/local/bin/\n"), /line \d+: ADD proxy\/bin\/.*use COPY/);
        rejects(checkNoAdd, withBuildStep("add https://example.com/tool.tar.gz /opt/"), /use COPY/);
    });

    it("CIS 4.11: rejects a download piped into a shell, in any of its spellings", () => {
        for (const run of [
            "RUN curl -fsSL https://example.com/install.sh | bash",
            "RUN curl -fsSL https://example.com/install.sh | sudo -E sh -s -- -y",
            "RUN wget -qO- https://example.com/install.sh |/bin/sh",
            'RUN bash -c "$(curl -fsSL https://example.com/install.sh)"',
            "RUN sh <(wget -qO- https://example.com/install.sh)",
            'RUN ["/bin/sh", "-c", "curl -fsSL https://example.com/x | sh"]',
            "RUN set -eux; \\\n    # a comment line inside the RUN\n    wget -O- https://example.com/x \\\n    | python3 -",
        ]) {
            rejects(checkNoPipeToShell, withBuildStep(run), /a download runs unverified in a shell/);
        }
        // A download checked before use, and a pipe from curl into anything but a shell, are not this rule's.
        assert.deepEqual(checkNoPipeToShell(tiny("RUN curl -fsSLo /tmp/x https://example.com/x && sha256sum -c x.sha256 && sh /tmp/x")), []);
        assert.deepEqual(checkNoPipeToShell(tiny("RUN curl -fsSL https://example.com/x | sha256sum")), []);
    });

    it("DL4006: rejects a pipe without pipefail, and `set -o pipefail` under Debian's sh (dash, which has none)", () => {
        rejects(checkPipefail, withBuildStep("RUN find /usr -name '*.a' | xargs rm -f"), /a pipe under \["\/bin\/sh"\], which has no pipefail/);
        rejects(checkPipefail, withBuildStep("RUN set -euxo pipefail; find /usr -name '*.a' | xargs rm -f"), /which has no pipefail \(Debian's sh is dash\)/);
        rejects(checkPipefail, tiny('SHELL ["/bin/bash", "-c"]\nRUN dpkg -l | grep -q nginx'), /a pipe without pipefail/);
        rejects(checkPipefail, tiny('RUN ["/bin/bash", "-c", "dpkg -l | grep -q nginx"]'), /a pipe without pipefail/);
        // The stage after FROM another image starts over with /bin/sh.
        rejects(checkPipefail, `FROM debian AS a\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM debian AS b\nRUN dpkg -l | grep -q nginx\n`, /line 4/);
        // Accepted: SHELL with -o pipefail (also inherited by a stage FROM that stage), a bash SHELL with set -o
        // pipefail, an exec-form bash with it; `||` and a quoted | are no pipes.
        for (const ok of [
            tiny('SHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN dpkg -l | grep -q nginx'),
            `FROM debian AS a\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\nFROM a AS b\nRUN dpkg -l | grep -q nginx\n`,
            tiny('SHELL ["/bin/bash", "-c"]\nRUN set -euxo pipefail; dpkg -l | grep -q nginx'),
            tiny('RUN ["/bin/bash", "-o", "pipefail", "-c", "dpkg -l | grep -q nginx"]'),
            tiny("RUN test -d /x || mkdir /x; grep -E 'a|b' /etc/os-release"),
        ]) {
            assert.deepEqual(checkPipefail(ok), [], ok);
        }
    });

    it("CIS 4.10: rejects a secret's name in ENV or ARG (the project's pattern), not a path to one", () => {
        for (const line of ["ENV DATABASE_PASSWORD=changeme", "ENV LANG=C.UTF-8 API_TOKEN=abc", "ENV AWS_SECRET_ACCESS_KEY abc", "ARG GITHUB_TOKEN", 'ARG PRIVATE_KEY="x y"']) {
            rejects(checkNoSecretEnv, withBuildStep(line), /names a secret/);
        }
        assert.deepEqual(checkNoSecretEnv(tiny("ENV POSTGRES_PASSWORD_FILE=/run/secrets/db TOKEN_TTL_SECONDS=60\nARG BASE_IMAGE=debian")), []);
    });

    it("DL3009: rejects apt lists left behind: no shared step after apt-get update, a script that keeps them, a shipped layer", () => {
        // The proxy without the shared step, and with apt-get update after it (which fetches the lists again).
        rejects(checkAptLists, replaced(STEP, ""), /runs apt-get update, and its build stage does not end with the shared hardening step/);
        rejects(checkAptLists, withBuildStep("RUN apt-get update && apt-get install -y sudo && rm -rf /var/lib/apt/lists/*"), /runs apt-get update after the shared hardening step/);
        // A shared script that keeps them fails every image that relies on it.
        rejects((t) => checkAptLists(t, brokenScript("/var/lib/apt/lists/* ", "")), good, /harden\.sh does not rm -rf \/var\/lib\/apt\/lists/);
        rejects((t) => checkAptLists(t, `${sharedScript()}apt-get update\n`), good, /harden\.sh does not rm -rf \/var\/lib\/apt\/lists\/\* \(after its last apt-get\)/);
        // A stage whose layers ship (the final one): removed in a later RUN, the update's layer keeps them ...
        rejects(checkAptLists, "FROM debian\nRUN apt-get update && apt-get install -y nginx\nRUN rm -rf /var/lib/apt/lists/*\n", /line 2/);
        // ... and removed before the last apt-get of the RUN, which fetches them again.
        rejects(checkAptLists, "FROM debian\nRUN apt-get update; rm -rf /var/lib/apt/lists/*; apt-get update; apt-get install -y nginx\n", /does not rm/);
        assert.deepEqual(checkAptLists("FROM debian\nRUN apt-get update; rm -rf /tmp/x; apt-get install -y nginx; rm -rf /var/lib/apt/lists/*\n"), []);
        // In a build stage the shared step removes them, in whichever RUN apt-get update ran.
        assert.deepEqual(checkAptLists(tiny("RUN apt-get update && apt-get install -y nginx\nRUN true")), []);
    });

    it("CIS 4.8: rejects an image whose setuid/setgid bits are not stripped, or come back after the strip", () => {
        rejects(checkNoSetuid, replaced(STEP, ""), /goes into the final image without removing setuid\/setgid bits: it does not end with the shared hardening step/);
        rejects(checkNoSetuid, replaced(`${SHARED_COPY}\n`, ""), /without copying it in first/);
        rejects(checkNoSetuid, withBuildStep("RUN chmod u+s /usr/local/bin/healthcheck"), /can add a setuid\/setgid file after the strip/);
        rejects(checkNoSetuid, withBuildStep("RUN chmod 4755 /usr/local/bin/healthcheck"), /after the strip/);
        rejects(checkNoSetuid, withBuildStep("RUN install -m 2755 /dev/null /usr/local/bin/x"), /after the strip/);
        rejects(checkNoSetuid, withBuildStep("RUN apt-get update && apt-get install -y sudo && rm -rf /var/lib/apt/lists/*"), /after the strip/);
        // The shared step is the build stage's last: nothing is copied or run after it.
        rejects(checkNoSetuid, withBuildStep("COPY --from=debian:bookworm /usr/bin/sudo /usr/bin/"), /comes after the shared hardening step, which must be the last step/);
        rejects(checkNoSetuid, withBuildStep("RUN true"), /comes after the shared hardening step/);
        // A shared script without the strip, or that can add an s bit after it, fails every image.
        rejects((t) => checkNoSetuid(t, brokenScript(/^find \/ -xdev .*$/m, "true")), good, /harden\.sh does not remove setuid\/setgid bits/);
        rejects((t) => checkNoSetuid(t, `${sharedScript()}apt-get install -y sudo\n`), good, /harden\.sh can add a setuid\/setgid file after its strip/);
        // A final stage that is not FROM scratch holds its base's files: it strips itself.
        rejects(checkNoSetuid, 'FROM debian\nRUN true\nHEALTHCHECK CMD ["true"]\n', /stage 0 \(debian\)/);
        assert.deepEqual(checkNoSetuid(`FROM debian\nRUN apt-get install -y x\n${STEP}`), []);
        // The strip's other spellings, in the script.
        assert.deepEqual(checkNoSetuid(tiny("RUN true"), "find / -xdev -perm +6000 -type f -exec chmod ug-s {} +\n"), []);
    });

    it("CIS 4.6 / CKV_DOCKER_2: rejects an image without a HEALTHCHECK in its final stage", () => {
        rejects(checkHealthcheck, replaced(/^HEALTHCHECK .*$/m, ""), /the final stage has no HEALTHCHECK/);
        rejects(checkHealthcheck, replaced(/^HEALTHCHECK .*$/m, "HEALTHCHECK NONE"), /switched off/);
        // A build stage's HEALTHCHECK does not reach the final image.
        rejects(checkHealthcheck, tiny('HEALTHCHECK CMD ["true"]', "USER 1:1"), /no HEALTHCHECK/);
    });
});

// images/base/build-base.sh up to the point where debootstrap runs, against stand-ins for docker, id, gpgv and
// debootstrap (no root, engine or network): what it hands debootstrap, and that it stops without a keyring.
describe("images/base/build-base.sh: the Debian archive signature is always verified", () => {
    const script = path.join(IMAGES_DIR, "base", "build-base.sh");
    let bin: string;
    let argsFile: string;
    before(() => {
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-base-stubs-"));
        argsFile = path.join(bin, "debootstrap.args");
        const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        // An engine that answers and holds no base image yet; root; gpgv present.
        stub("docker", 'case "$1" in info) exit 0 ;; *) exit 1 ;; esac');
        stub("id", "echo 0");
        stub("gpgv", "exit 0");
        // Records its arguments and stops the build there.
        stub("debootstrap", `printf '%s\\n' "$@" > ${JSON.stringify(argsFile)}; exit 3`);
    });
    after(() => fs.rmSync(bin, { recursive: true, force: true }));

    const run = (env: Record<string, string>) => {
        fs.rmSync(argsFile, { force: true });
        const r = spawnSync("bash", [script], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, BULWARK_BASE_IMAGE: "bulwark/debian-base:stub-test", ...env },
        });
        return { ...r, debootstrapArgs: fs.existsSync(argsFile) ? fs.readFileSync(argsFile, "utf8").trim().split("\n") : undefined };
    };

    it("runs debootstrap with the archive keyring and --force-check-gpg, over the default http mirror too", () => {
        const keyring = path.join(bin, "archive-keyring.gpg");
        fs.writeFileSync(keyring, "stand-in keyring");
        const r = run({ DEBIAN_KEYRING: keyring });
        assert.ok(r.debootstrapArgs, `debootstrap was not reached: ${r.stderr}`);
        assert.ok(r.debootstrapArgs.includes(`--keyring=${keyring}`), r.debootstrapArgs.join(" "));
        assert.ok(r.debootstrapArgs.includes("--force-check-gpg"), r.debootstrapArgs.join(" "));
        assert.ok(!r.debootstrapArgs.includes("--no-check-gpg"));
        assert.equal(r.debootstrapArgs.at(-1), "http://deb.debian.org/debian");
        assert.notEqual(r.status, 0, "a failed debootstrap fails the script");
    });

    it("defaults to the keyring debian-archive-keyring installs", () => {
        const r = run({ DEBIAN_KEYRING: "" });
        // The stubbed debootstrap is reached only where that keyring exists; either way it is the one named.
        const named = r.debootstrapArgs?.find((a) => a.startsWith("--keyring=")) ?? r.stderr;
        assert.match(named, /\/usr\/share\/keyrings\/debian-archive-keyring\.gpg/);
    });

    it("refuses to build without the keyring, naming the package to install, before debootstrap runs", () => {
        const r = run({ DEBIAN_KEYRING: path.join(bin, "no-such-keyring.gpg") });
        assert.equal(r.status, 1);
        assert.equal(r.debootstrapArgs, undefined, "debootstrap ran without a keyring");
        assert.match(r.stderr, /no-such-keyring\.gpg is missing, so the archive's signature cannot be verified; install debian-archive-keyring \(scripts\/setup-host\.sh\)/);
    });

    it("setup-host.sh installs the keyring and gpgv", () => {
        const setup = fs.readFileSync(path.join(IMAGES_DIR, "..", "scripts", "setup-host.sh"), "utf8");
        assert.match(setup, /^\s+debian-archive-keyring\b/m);
        assert.match(setup, /^\s+gpgv\b/m);
    });
});

// An existing base is reused only if its label says build-base.sh built it with the signature verified; the whole
// script runs against stand-ins (docker keeps its one image's label in a file, debootstrap makes an empty rootfs).
describe("images/base/build-base.sh: only a signature-verified base is reused", () => {
    const script = path.join(IMAGES_DIR, "base", "build-base.sh");
    let bin: string;
    let keyring: string;
    const state = (name: string) => path.join(bin, name);
    before(() => {
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-base-label-"));
        keyring = state("archive-keyring.gpg");
        fs.writeFileSync(keyring, "stand-in keyring");
        const stub = (name: string, body: string) => fs.writeFileSync(state(name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        const dir = JSON.stringify(bin);
        // `image inspect` fails until the image exists; its verified label is the file "verified" (absent: none).
        // `import` records its arguments, creates the image and keeps the verified label it was given.
        stub(
            "docker",
            `d=${dir}
case "$1" in
info) exit 0 ;;
image)
    [ -f "$d/exists" ] || exit 1
    case "$4" in
    *bulwark.base.verified*) cat "$d/verified" 2>/dev/null; echo ;;
    *.Id*) echo sha256:stub-base-id ;;
    esac
    exit 0 ;;
import)
    cat >/dev/null
    printf '%s\\n' "$@" >"$d/import.args"
    touch "$d/exists"
    rm -f "$d/verified"
    for a in "$@"; do case "$a" in "LABEL bulwark.base.verified="*) printf '%s' "\${a#*=}" >"$d/verified" ;; esac; done
    exit 0 ;;
esac
exit 1`,
        );
        stub("id", "echo 0");
        stub("gpgv", "exit 0");
        // Records that it ran and makes the rootfs (its second-to-last argument) the script then edits.
        // It takes a moment, as the real one does, so that two builds at once overlap.
        stub("debootstrap", `echo run >>${dir}/debootstrap.count; sleep 0.5; touch ${dir}/debootstrap.ran; prev=; for a in "$@"; do rootfs=$prev; prev=$a; done; mkdir -p "$rootfs/etc/apt"`);
    });
    after(() => fs.rmSync(bin, { recursive: true, force: true }));

    const env = () => ({ PATH: `${bin}:${process.env.PATH}`, BULWARK_BASE_IMAGE: "bulwark/debian-base:stub-test", DEBIAN_KEYRING: keyring });
    /** Resets the stand-in engine: no image, or one whose verified label is `verified` ("" for an unlabelled image). */
    const engineWith = (verified: string | undefined) => {
        for (const f of ["exists", "verified", "import.args", "debootstrap.ran", "debootstrap.count"]) fs.rmSync(state(f), { force: true });
        if (verified !== undefined) {
            fs.writeFileSync(state("exists"), "");
            if (verified) fs.writeFileSync(state("verified"), verified);
        }
    };
    const run = (...args: string[]) => spawnSync("bash", [script, ...args], { encoding: "utf8", env: { ...process.env, ...env() } });
    const importArgs = () => (fs.existsSync(state("import.args")) ? fs.readFileSync(state("import.args"), "utf8").split("\n") : undefined);

    it("labels what it builds as verified, with the keyring's sha256", () => {
        engineWith(undefined);
        const r = run("--id");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "sha256:stub-base-id");
        const sha = createHash("sha256").update(fs.readFileSync(keyring)).digest("hex");
        assert.ok(importArgs()?.includes("LABEL bulwark.base.verified=debootstrap-gpg"), importArgs()?.join(" "));
        assert.ok(importArgs()?.includes(`LABEL bulwark.base.keyring-sha256=${sha}`), importArgs()?.join(" "));
    });

    it("two builds at once on one host: the second waits for the first and reuses its image (CI builds while the runtime suite may ask)", async () => {
        engineWith(undefined);
        const runAlongside = () =>
            new Promise<{ status: number | null; stderr: string }>((resolve) => {
                const child = spawn("bash", [script], { env: { ...process.env, ...env(), TMPDIR: bin } });
                let stderr = "";
                child.stderr.on("data", (d) => (stderr += d));
                child.on("close", (status) => resolve({ status, stderr }));
            });
        const runs = await Promise.all([runAlongside(), runAlongside()]);
        runs.forEach((r) => assert.equal(r.status, 0, r.stderr));
        assert.equal(fs.readFileSync(state("debootstrap.count"), "utf8").trim().split("\n").length, 1, "debootstrap ran once");
        assert.equal(runs.filter((r) => /reusing existing bulwark\/debian-base:stub-test/.test(r.stderr)).length, 1);
    });

    it("reuses an existing base labelled verified without building", () => {
        engineWith("debootstrap-gpg");
        const r = run();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "bulwark/debian-base:stub-test");
        assert.match(r.stderr, /reusing existing/);
        assert.ok(!fs.existsSync(state("debootstrap.ran")));
    });

    for (const [what, label] of [["an unlabelled base (an older, unverified build)", ""], ["a base labelled otherwise", "none"]]) {
        it(`refuses ${what}, naming --rebuild, and builds nothing`, () => {
            engineWith(label);
            const r = run("--id");
            assert.equal(r.status, 2);
            assert.equal(r.stdout, "", "no image handed on");
            assert.match(r.stderr, /has no bulwark\.base\.verified=debootstrap-gpg label: it was not built with the archive's signature verified.*run \S*build-base\.sh --rebuild/);
            assert.ok(!fs.existsSync(state("debootstrap.ran")));
            assert.equal(importArgs(), undefined);
        });
    }

    it("--rebuild replaces an unlabelled base with a labelled one", () => {
        engineWith("");
        assert.equal(run("--rebuild").status, 0);
        assert.equal(fs.readFileSync(state("verified"), "utf8"), "debootstrap-gpg");
    });

    it("the runtime harness rebuilds an unlabelled base rather than failing (tools/runtime/images.ts)", async () => {
        engineWith("");
        const saved = { ...process.env };
        Object.assign(process.env, env());
        const lines: string[] = [];
        try {
            assert.equal(await ensureBaseImage((l) => lines.push(l), false, true), "sha256:stub-base-id");
        } finally {
            for (const k of Object.keys(env())) {
                if (saved[k] === undefined) delete process.env[k];
                else process.env[k] = saved[k];
            }
        }
        assert.ok(fs.existsSync(state("debootstrap.ran")), lines.join("\n"));
        assert.equal(fs.readFileSync(state("verified"), "utf8"), "debootstrap-gpg");
        assert.ok(lines.some((l) => /rebuilding the unverified base/.test(l)), lines.join("\n"));
    });
});
