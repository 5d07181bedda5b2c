// The small parts of policy:check, in process: argument parsing, config layering and the report's shape.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs, UsageError } from "../../tools/policy-check/args";
import { PolicyInfo, reconcile } from "../../tools/analyzer/config";
import { assembleConfig, readConfigFile } from "../../tools/policy-check/config";
import { locateProgram } from "../../tools/policy-check/program";
import { describeError } from "../../tools/policy-check/program-child";
import { formatReport, jsonReport, resourceLabel, summaryLine, wrap } from "../../tools/policy-check/report";
import { Inconclusive, Violation } from "../../tools/analyzer/judge";
import { FIXTURES, ROOT } from "./run-check";

function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-"));
    for (const [file, text] of Object.entries({ "Pulumi.yaml": "name: demo\nruntime: nodejs\n", ...files })) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

const SOURCES = { stack: "dev", stackRequired: false, configFiles: [], settings: [] };

describe("policy:check parts", () => {
    describe("parseArgs", () => {
        it("reads every flag, in both --flag value and --flag=value forms, keeping settings in order", () => {
            const options = parseArgs(["--program=infra", "--stack", "prod", "--json", "--config-file", "a.yaml", "--config", "x=1", "--secret=y=a=b", "--policy-config", "p.json"]);
            assert.deepEqual(options, {
                help: false,
                program: "infra",
                stack: "prod",
                stackExplicit: true,
                json: true,
                preview: false,
                configFiles: ["a.yaml"],
                settings: [
                    { key: "x", value: "1", secret: false },
                    { key: "y", value: "a=b", secret: true },
                ],
                policyConfig: "p.json",
            });
        });

        it("--preview asks for a preview of a new stack", () => {
            assert.equal(parseArgs(["--preview"]).preview, true);
            assert.throws(() => parseArgs(["--preview=yes"]), /--preview takes no value/);
        });

        it("defaults to the dev stack, not marked explicit", () => {
            const options = parseArgs([]);
            assert.equal(options.stack, "dev");
            assert.equal(options.stackExplicit, false);
            assert.equal(options.program, undefined);
        });

        for (const [argv, message] of [
            [["--verbose"], /unknown option --verbose/],
            [["infra"], /unexpected argument "infra"/],
            [["--program"], /--program needs a value/],
            [["--json=yes"], /--json takes no value/],
            [["--secret", "novalue"], /--secret expects key=value/],
            [["--config", "=v"], /--config expects key=value/],
        ] as const) {
            it(`rejects ${argv.join(" ")}`, () => {
                assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && message.test(e.message));
            });
        }
    });

    describe("config", () => {
        it("layers stack file < config files (in order) < --config/--secret, and tracks which keys are secret", () => {
            const dir = project({
                "Pulumi.dev.yaml": "config:\n  demo:a: stack\n  demo:b: stack\n  demo:list:\n    - 1\n",
                "one.yaml": "config:\n  a: file-one\nsecrets:\n  demo:token: t1\n",
                "two.yaml": "secrets:\n  a: file-two\n",
            });
            const config = assembleConfig(dir, {
                ...SOURCES,
                configFiles: [path.join(dir, "one.yaml"), path.join(dir, "two.yaml")],
                settings: [{ key: "token", value: "plain-now", secret: false }, { key: "other:c", value: "3", secret: true }],
            });
            assert.deepEqual(config.config, { "demo:a": "file-two", "demo:b": "stack", "demo:list": "[1]", "demo:token": "plain-now", "other:c": "3" });
            assert.deepEqual(config.secretKeys.sort(), ["demo:a", "other:c"]);
            assert.equal(config.project, "demo");
            fs.rmSync(dir, { recursive: true });
        });

        it("asks for each secure: value that nothing supplied, naming the key and both ways to pass it", () => {
            const dir = project({ "Pulumi.prod.yaml": "config:\n  demo:key:\n    secure: AAAB\n  demo:other:\n    secure: AAAC\n" });
            assert.throws(
                () => assembleConfig(dir, { ...SOURCES, stack: "prod", settings: [{ key: "demo:other", value: "v", secret: true }] }),
                /^Error: demo:key is encrypted \(secure:\) in Pulumi\.prod\.yaml and cannot be decrypted here; pass it with --secret demo:key=<value> or under `secrets:` in a --config-file$/,
            );
            fs.rmSync(dir, { recursive: true });
        });

        it("requires the stack file only when --stack was given", () => {
            const dir = project({});
            assert.deepEqual(assembleConfig(dir, SOURCES).config, {});
            assert.throws(() => assembleConfig(dir, { ...SOURCES, stackRequired: true }), /no Pulumi\.dev\.yaml/);
            fs.rmSync(dir, { recursive: true });
        });

        it("rejects a --config-file with anything but config: and secrets: maps", () => {
            const dir = project({ "bad.yaml": "conifg:\n  a: 1\n", "list.yaml": "- a\n", "section.yaml": "config:\n  - a\n", "secure.yaml": "secrets:\n  demo:k:\n    secure: AAAB\n" });
            assert.throws(() => readConfigFile(path.join(dir, "bad.yaml"), "demo"), /unknown top-level `conifg`; only `config:` and `secrets:` are read/);
            assert.throws(() => readConfigFile(path.join(dir, "section.yaml"), "demo"), /`config:` must be a map of key: value/);
            assert.throws(() => readConfigFile(path.join(dir, "secure.yaml"), "demo"), /demo:k is `secure:` ciphertext.*put its plain value under `secrets:`/);
            assert.throws(() => readConfigFile(path.join(dir, "list.yaml"), "demo"), /must be a map with `config:` and\/or `secrets:`/);
            assert.throws(() => readConfigFile(path.join(dir, "none.yaml"), "demo"), /none\.yaml does not exist/);
            fs.rmSync(dir, { recursive: true });
        });

        it("reconciles policy config as the CLI does: defaults, \"all\", each policy's own level, schema validation", () => {
            const policies: PolicyInfo[] = [
                { name: "a", enforcementLevel: "mandatory", tags: [], type: "resource" },
                { name: "b", enforcementLevel: "mandatory", tags: [], type: "resource", configSchema: { properties: { max: { type: "integer", minimum: 1, default: 5 } } } },
                { name: "c", enforcementLevel: "advisory", tags: [], type: "stack" },
            ];
            const settings = reconcile(policies, { all: "advisory", a: "disabled", b: { max: 3 } });
            assert.deepEqual(Object.fromEntries(settings), {
                a: { enforcementLevel: "disabled", properties: {} },
                b: { enforcementLevel: "advisory", properties: { max: 3 } },
                c: { enforcementLevel: "advisory", properties: {} },
            });
            assert.deepEqual(reconcile(policies, undefined).get("b"), { enforcementLevel: "mandatory", properties: { max: 5 } });
            assert.throws(() => reconcile(policies, { d: "advisory" }), /names no policy of the pack: d/);
            assert.throws(() => reconcile(policies, { b: { max: 0 } }), /b: max: must be >= 1/);
            assert.throws(() => reconcile(policies, { a: "strict" } as never), /a: "strict" is not a valid enforcement level/);
        });
    });

    describe("locating the program", () => {
        it("defaults to this project's package.json main", () => {
            assert.deepEqual(locateProgram(undefined, ROOT), { projectDir: ROOT, entry: path.join(ROOT, "infra", "index.ts") });
        });

        it("takes a directory's index.ts and finds Pulumi.yaml upward from a file", () => {
            const dir = path.join(FIXTURES, "broken", "cors-wildcard");
            assert.deepEqual(locateProgram(dir, ROOT), { projectDir: dir, entry: path.join(dir, "index.ts") });
            const nested = project({ "src/main.ts": "" });
            assert.deepEqual(locateProgram(path.join(nested, "src", "main.ts"), ROOT), { projectDir: nested, entry: path.join(nested, "src", "main.ts") });
            fs.rmSync(nested, { recursive: true });
        });

        it("says what is missing", () => {
            const empty = project({});
            assert.throws(() => locateProgram(empty, ROOT), /the directory has no index\.ts/);
            fs.writeFileSync(path.join(empty, "package.json"), JSON.stringify({ main: "bin/app.js" }));
            assert.throws(() => locateProgram(empty, ROOT), /has no package\.json "main" \(bin\/app\.js\)/);
            fs.writeFileSync(path.join(empty, "notes.txt"), "");
            assert.throws(() => locateProgram(path.join(empty, "notes.txt"), ROOT), /expected a \.ts or \.js file or a directory/);
            fs.rmSync(path.join(empty, "Pulumi.yaml"));
            fs.writeFileSync(path.join(empty, "main.ts"), "");
            assert.throws(() => locateProgram(path.join(empty, "main.ts"), ROOT), /no Pulumi\.yaml in it or any folder above it/);
            fs.rmSync(empty, { recursive: true });
        });
    });

    describe("program errors", () => {
        it("gives an error of the program's own class (ConfigError, ...) as its message alone", () => {
            class ConfigError extends Error {}
            assert.equal(describeError(new ConfigError("bulwark: 1 configuration problem\n  - bulwark:domain: ...")), "bulwark: 1 configuration problem\n  - bulwark:domain: ...");
        });

        it("gives a built-in error with the program's frames only", () => {
            const e = new TypeError("x is undefined");
            e.stack = [
                "TypeError: x is undefined",
                "    at Object.<anonymous> (/srv/app/index.ts:7:22)",
                "    at Module._compile (node:internal/modules/cjs/loader:1521:14)",
                "    at Object.require.extensions.<computed> [as .ts] (/srv/app/node_modules/ts-node/src/index.ts:1621:12)",
                "    at runProgram (/work/main/tools/policy-check/program-child.ts:57:22)",
            ].join("\n");
            assert.equal(describeError(e), "TypeError: x is undefined\n    at Object.<anonymous> (/srv/app/index.ts:7:22)");
            assert.equal(describeError("thrown string"), "thrown string");
        });
    });

    describe("report", () => {
        const violations: Violation[] = [
            { policy: "p-advisory", level: "advisory", urn: "urn:pulumi:dev::demo::docker:index/network:Network::edge", message: "advice", controls: ["NET-01"] },
            { policy: "p-mandatory", level: "mandatory", urn: "urn:pulumi:dev::demo::bulwark:stack:App$docker:index/container:Container::app-backend", message: "must fix", controls: ["CON-05", "CON-06"] },
            { policy: "p-stack", level: "mandatory", message: "stack-wide", controls: ["BAK-01"] },
        ];

        it("labels a resource by its URN's own type and name, and stack-wide findings as (stack)", () => {
            assert.equal(resourceLabel(violations[1].urn), "docker:index/container:Container::app-backend");
            assert.equal(resourceLabel(undefined), "(stack)");
        });

        it("tables mandatory findings first and ends with the summary line", () => {
            const lines = formatReport({ resources: 34, mode: "update", violations, inconclusive: [] }).split("\n");
            assert.match(lines[0], /^POLICY\s+LEVEL\s+RESOURCE\s+MESSAGE\s+CONTROLS$/);
            assert.match(lines[2], /^p-mandatory\s+mandatory\s+docker:index\/container:Container::app-backend\s+must fix\s+CON-05, CON-06$/);
            assert.match(lines[3], /^p-stack\s+mandatory\s+\(stack\)\s+stack-wide\s+BAK-01$/);
            assert.match(lines[4], /^p-advisory\s+advisory/);
            assert.equal(lines.at(-1), "policy:check (update): 34 resources, 2 mandatory, 1 advisory violations");
            assert.equal(summaryLine({ resources: 1, mode: "update", violations: [], inconclusive: [] }), "policy:check (update): 1 resources, 0 mandatory, 0 advisory violations");
        });

        it("lists checks inconclusive in a preview after the violations, each with its field", () => {
            const inconclusive: Inconclusive[] = [
                { policy: "p-trust", level: "mandatory", urn: violations[1].urn, field: "image", kind: "refused" },
                { policy: "p-old", level: "advisory", urn: violations[1].urn, field: "envs", kind: "cant-run" },
            ];
            const text = formatReport({ resources: 34, mode: "preview", violations: [], inconclusive });
            assert.match(text, /^Undecided, values unknown until apply/);
            assert.match(text, /p-trust\s+mandatory\s+docker:index\/container:Container::app-backend\s+image\s+refused/);
            assert.match(text.split("\n").at(-1)!, /^policy:check \(preview\): 34 resources, 0 mandatory, 0 advisory violations; 2 checks undecided: values unknown until apply \(1 policies could not run\)$/);
            const parsed = JSON.parse(jsonReport({ resources: 34, mode: "preview", violations: [], inconclusive }));
            assert.deepEqual(parsed.inconclusive[0], { policy: "p-trust", level: "mandatory", urn: violations[1].urn, field: "image", kind: "refused" });
        });

        it("wraps long cells on word boundaries", () => {
            assert.deepEqual(wrap("aaa bbb ccc ddd", 7), ["aaa bbb", "ccc ddd"]);
            assert.deepEqual(wrap("a-very-long-word x", 5), ["a-very-long-word", "x"]);
        });

        it("gives JSON in the documented shape, with null for a stack-wide URN", () => {
            const parsed = JSON.parse(jsonReport({ resources: 3, mode: "update", violations, inconclusive: [] }));
            assert.deepEqual(parsed.violations[2], { policy: "p-stack", level: "mandatory", urn: null, message: "stack-wide", controls: ["BAK-01"] });
            assert.deepEqual(Object.keys(parsed), ["resources", "mode", "violations", "inconclusive"]);
        });
    });
});
