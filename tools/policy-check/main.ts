// `npm run --silent policy:check -- --program <file|dir> [...]`: runs a Pulumi TypeScript program under the
// recording mocks and judges what it registered with the bulwark policy pack, started and spoken to the way the
// Pulumi CLI does (tools/analyzer), as `pulumi up --policy-pack policies` would judge it, or with --preview as
// `pulumi preview` of a new stack would; no Pulumi CLI, cloud account or Docker daemon needed. See USAGE in
// args.ts.
import * as path from "node:path";
import { Analyzer } from "../analyzer/judge";
import { parseArgs, USAGE, UsageError } from "./args";
import { assembleConfig, readPolicyConfig } from "./config";
import { locateProgram, runProgram } from "./program";
import { CheckResult, formatReport, jsonError, jsonReport, mandatoryCount } from "./report";

export const EXIT = { clean: 0, mandatory: 1, unevaluable: 2 } as const;

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

async function check(argv: readonly string[]): Promise<{ result: CheckResult; json: boolean } | "help"> {
    const options = parseArgs(argv);
    if (options.help) {
        return "help";
    }
    const location = locateProgram(options.program, PROJECT_ROOT);
    const config = assembleConfig(location.projectDir, {
        stack: options.stack,
        stackRequired: options.stackExplicit,
        configFiles: options.configFiles,
        settings: options.settings,
    });
    const policyConfig = options.policyConfig ? readPolicyConfig(options.policyConfig) : undefined;
    // The pack starts (and type-checks) while the program runs.
    const starting = Analyzer.start({ stackConfig: config.config });
    starting.catch(() => undefined);
    try {
        const [analyzer, resources] = await Promise.all([starting, runProgram(location, config, options.preview)]);
        const result = await analyzer.evaluate(resources, { config: policyConfig, stack: config.stack, project: config.project, preview: options.preview });
        return { result: { resources: resources.length, mode: options.preview ? "preview" : "update", ...result }, json: options.json };
    } finally {
        await starting.then((a) => a.stop(), () => undefined);
    }
}

export async function main(argv: readonly string[]): Promise<number> {
    // --json is honoured even when the rest of the command line is wrong, so a caller always gets JSON back.
    const json = argv.includes("--json");
    try {
        const outcome = await check(argv);
        if (outcome === "help") {
            console.log(USAGE);
            return EXIT.clean;
        }
        console.log(outcome.json ? jsonReport(outcome.result) : formatReport(outcome.result));
        return mandatoryCount(outcome.result.violations) > 0 ? EXIT.mandatory : EXIT.clean;
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (json) {
            console.log(jsonError(message));
        } else {
            console.error(`policy:check: ${message}`);
            if (e instanceof UsageError) {
                console.error("Run with --help for usage.");
            } else if (message.includes("pulumi config set --secret")) {
                // The program's advice is for a real stack; here secrets come from the command line.
                console.error("policy:check: give secret config here with --secret <key>=<value> or under `secrets:` in a --config-file.");
            }
        }
        return EXIT.unevaluable;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
