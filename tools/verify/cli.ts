// npm run verify -- [--stack <name>] [--json] [--url https://host:port] [--http-url http://host:port]
// Exit 0 when every check passes, 1 when any fails, 2 when the audit could not run.
import { Engine } from "../runtime/engine-api";
import { renderTable, toReport } from "./report";
import { runVerify } from "./verify";

const USAGE = `usage: npm run verify -- [--stack <name>] [--json] [--url https://host:port] [--http-url http://host:port]

Audits the running containers labelled bulwark.project=bulwark, bulwark.stack=<name> (default dev) through
the Docker engine, then the TLS proxy over the network (its published ports unless --url/--http-url).`;

interface Args {
    stack: string;
    json: boolean;
    url?: string;
    httpUrl?: string;
}

function parse(argv: readonly string[]): Args | string {
    const args: Args = { stack: "dev", json: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
            return v;
        };
        try {
            if (a === "--stack") args.stack = value();
            else if (a === "--json") args.json = true;
            else if (a === "--url") args.url = value();
            else if (a === "--http-url") args.httpUrl = value();
            else if (a === "-h" || a === "--help") return USAGE;
            else return `unknown argument ${a}\n\n${USAGE}`;
        } catch (e) {
            return `${(e as Error).message}\n\n${USAGE}`;
        }
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(args.stack)) return `--stack must be a stack name, got ${JSON.stringify(args.stack)}`;
    return args;
}

export async function main(argv: readonly string[]): Promise<number> {
    const args = parse(argv);
    if (typeof args === "string") {
        console.error(args);
        return args === USAGE ? 0 : 2;
    }
    const engine = new Engine();
    if (!(await engine.ping())) {
        console.error(`cannot reach the Docker engine at ${engine.socketPath}`);
        return 2;
    }
    const result = await runVerify({ engine, stack: args.stack, url: args.url, httpUrl: args.httpUrl });
    const report = toReport(args.stack, result.proxy, result.rows);
    console.log(args.json ? JSON.stringify(report, null, 2) : renderTable(report));
    return report.passed ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: Error) => {
            console.error(`verify could not run: ${e.message}`);
            process.exit(2);
        },
    );
}
