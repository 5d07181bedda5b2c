// The stack's basics: environment, domain, public ports and the address they bind to, the data network's range
// and log rotation. Later sections take the environment, domain and ports from here.
import { isIP } from "node:net";
import { DEFAULT_PUBLIC_PORTS, DEV_PUBLISH_ADDRESS } from "bulwark-vocabulary";
import { LIMITS } from "./defaults";
import { HOSTNAME } from "./patterns";
import type { ConfigReader } from "./reader";
import type { BulwarkConfig, Environment } from "./types";

export interface StackBasics {
    readonly environment: Environment;
    /** environment === "prod": most sections are stricter there. */
    readonly prod: boolean;
    readonly domain: string;
    readonly httpsPort: number;
    readonly httpPort: number;
    readonly publishAddress: string;
}

/** The site's public origin: https://domain, with the port only when it is not 443. */
export function publicOrigin(domain: string, httpsPort: number): string {
    return `https://${domain}${httpsPort === 443 ? "" : `:${httpsPort}`}`;
}

export function parseStack(r: ConfigReader): StackBasics {
    const environment = parseEnvironment(r);
    const prod = environment === "prod";
    const domain = parseDomain(r, prod);
    const { httpsPort, httpPort } = parsePorts(r);
    const publishAddress = parsePublishAddress(r, prod);
    return { environment, prod, domain, httpsPort, httpPort, publishAddress };
}

/** Explicit, or taken from the stack's name. */
function parseEnvironment(r: ConfigReader): Environment {
    const envValue = r.text("environment", /^prod/.test(r.stack) ? "prod" : "dev");
    if (envValue !== "dev" && envValue !== "prod") {
        r.problem("environment", `must be "dev" or "prod", got ${JSON.stringify(envValue)}.`, "run `pulumi config set environment prod` (or dev).");
    }
    return envValue === "prod" ? "prod" : "dev";
}

function parseDomain(r: ConfigReader, prod: boolean): string {
    const domain = r.text("domain", prod ? "" : "localhost");
    if (!domain) {
        r.problem("domain", "is required in prod.", "run `pulumi config set domain app.example.com`.");
    } else if (!HOSTNAME.test(domain)) {
        r.problem("domain", `must be a lower-case host name, got ${JSON.stringify(domain)}.`, "run `pulumi config set domain app.example.com` (no scheme, no port, no path).");
    }
    return domain;
}

function parsePorts(r: ConfigReader): { httpsPort: number; httpPort: number } {
    const problemsBeforePorts = r.problemCount;
    const httpsPort = r.number("httpsPort", DEFAULT_PUBLIC_PORTS.httpsPort, 1, 65535);
    const httpPort = r.number("httpPort", DEFAULT_PUBLIC_PORTS.httpPort, 1, 65535);
    // Only two valid ports can clash: an invalid one already reads as its minimum.
    if (r.problemCount === problemsBeforePorts && httpsPort === httpPort) {
        r.problem("httpPort", `must differ from httpsPort (both ${httpPort}).`, "run `pulumi config set httpPort 80` and `pulumi config set httpsPort 443`.");
    }
    return { httpsPort, httpPort };
}

/** CIS Docker 5.14: published ports bind to a chosen address, never silently to every interface. */
function parsePublishAddress(r: ConfigReader, prod: boolean): string {
    const publishAddress = r.text("publishAddress", prod ? "" : DEV_PUBLISH_ADDRESS);
    if (!publishAddress) {
        r.problem(
            "publishAddress",
            "is required in prod: the host address the proxy's ports bind to.",
            "run `pulumi config set publishAddress <the host's public IP>` (0.0.0.0, every interface, also needs allowWildcardAddress in the policy config of network-published-ports-bound).",
        );
    } else if (isIP(publishAddress) === 0) {
        r.problem("publishAddress", `must be an IPv4 or IPv6 address, got ${JSON.stringify(publishAddress)}.`, "run `pulumi config set publishAddress 203.0.113.10` (an address of this host, not a name).");
    }
    return publishAddress;
}

/** Unset, Docker picks a range no other network on the host uses (a fixed default collided between stacks). */
export function parseDataSubnet(r: ConfigReader): string | undefined {
    const dataSubnet = r.raw("dataSubnet") === undefined ? undefined : r.text("dataSubnet", "");
    const cidr = dataSubnet === undefined ? undefined : /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(dataSubnet);
    const octets = cidr ? cidr.slice(1, 5).map(Number) : [];
    const privateRange = octets[0] === 10 || (octets[0] === 172 && octets[1] >= 16 && octets[1] <= 31) || (octets[0] === 192 && octets[1] === 168);
    if (dataSubnet !== undefined && (!cidr || octets.some((o) => o > 255) || Number(cidr[5]) < 16 || Number(cidr[5]) > 28 || !privateRange)) {
        r.problem("dataSubnet", `must be a private IPv4 CIDR from /16 to /28, got ${JSON.stringify(dataSubnet)}.`, "run `pulumi config set dataSubnet 172.29.10.0/24` with a range no other network on the host uses.");
    }
    return dataSubnet;
}

export function parseLogRotation(r: ConfigReader): BulwarkConfig["logRotation"] {
    const logRaw = r.object("logRotation");
    return {
        maxSizeMb: r.checkNumber("logRotation.maxSizeMb", logRaw.maxSizeMb ?? 10, LIMITS.logMaxSizeMb.min, LIMITS.logMaxSizeMb.max, true),
        maxFiles: r.checkNumber("logRotation.maxFiles", logRaw.maxFiles ?? 5, LIMITS.logMaxFiles.min, LIMITS.logMaxFiles.max, true),
    };
}
