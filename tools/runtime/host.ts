// Run-time choices that keep a test stack from colliding with anything else on the host: a random stack
// name, free loopback ports, and a data subnet no existing Docker network uses.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import type { Engine } from "./engine-api";

/** "rt" and 6 hex characters: a valid stack name and a prefix no real stack uses. */
export const randomStackName = (): string => `rt${randomBytes(3).toString("hex")}`;

/** Ports the kernel hands out as free on 127.0.0.1 right now (distinct). */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
    const servers: net.Server[] = [];
    try {
        for (let i = 0; i < count; i++) {
            const server = net.createServer();
            await new Promise<void>((resolve, reject) => {
                server.once("error", reject);
                server.listen(0, "127.0.0.1", () => resolve());
            });
            servers.push(server);
        }
        return servers.map((s) => (s.address() as net.AddressInfo).port);
    } finally {
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
}

interface Range {
    readonly start: number;
    readonly end: number;
}

function parseCidr(cidr: string): Range | undefined {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) return undefined;
    const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const size = 2 ** (32 - Number(m[5]));
    const start = ip - (ip % size);
    return { start, end: start + size - 1 };
}

const overlaps = (a: Range, b: Range) => a.start <= b.end && b.start <= a.end;

/** IPv4 routes of the host (other than the default route): a data subnet must not shadow any of them. */
function hostRoutes(): Range[] {
    try {
        return fs
            .readFileSync("/proc/net/route", "utf8")
            .split("\n")
            .slice(1)
            .map((line) => line.trim().split(/\s+/))
            .filter((f) => f.length > 7 && f[1] !== "00000000")
            .map((f) => {
                // Little-endian hex: reverse the bytes into a dotted address.
                const dotted = (hex: string) => (hex.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)).join(".");
                const bits = (parseInt(f[7], 16) >>> 0).toString(2).replace(/0/g, "").length;
                return parseCidr(`${dotted(f[1])}/${bits}`);
            })
            .filter((r): r is Range => r !== undefined);
    } catch {
        return [];
    }
}

/** Ranges the harness picks a /24 from, in order; 172.29.10.0/24 is skipped (the dev stack's default). */
const CANDIDATE_RANGES = ["172.29", "10.213"] as const;

/** A private /24 no Docker network on this engine and no host route overlaps. */
export async function freeDataSubnet(engine: Engine): Promise<string> {
    const networks = await engine.request<{ IPAM?: { Config?: { Subnet?: string }[] | null } }[]>("GET", "/networks");
    const used = [
        ...networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => parseCidr(c.Subnet ?? ""))).filter((r): r is Range => r !== undefined),
        ...hostRoutes(),
    ];
    const offset = randomBytes(1)[0];
    for (const prefix of CANDIDATE_RANGES) {
        for (let i = 0; i < 256; i++) {
            const cidr = `${prefix}.${(offset + i) % 256}.0/24`;
            if (cidr === "172.29.10.0/24") continue;
            const range = parseCidr(cidr) as Range;
            if (!used.some((u) => overlaps(u, range))) return cidr;
        }
    }
    throw new Error(`no free /24 in ${CANDIDATE_RANGES.map((p) => `${p}.0.0/16`).join(" or ")}: Docker networks or host routes cover them all`);
}
