// Run-time choices that keep a test stack from colliding with anything else on the host: a random stack
// name, free loopback ports, and a data subnet no existing Docker network uses.
import { randomBytes } from "node:crypto";
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

/** A /24 in 172.29.0.0/16 that no Docker network on this engine uses (the data network must not overlap). */
export async function freeDataSubnet(engine: Engine): Promise<string> {
    const networks = await engine.request<{ IPAM?: { Config?: { Subnet?: string }[] | null } }[]>("GET", "/networks");
    const used = new Set(networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? "")));
    const usedThird = new Set(
        [...used].map((s) => /^172\.29\.(\d+)\.\d+\/(\d+)$/.exec(s)).filter((m): m is RegExpExecArray => m !== null && Number(m[2]) >= 24).map((m) => Number(m[1])),
    );
    if ([...used].some((s) => /^172\.(29\.0\.0\/16|16\.0\.0\/12)$/.test(s))) {
        throw new Error("a Docker network already covers 172.29.0.0/16; remove it or give the harness another range");
    }
    const start = randomBytes(1)[0];
    for (let i = 0; i < 256; i++) {
        const third = (start + i) % 256;
        if (third !== 10 && !usedThird.has(third)) return `172.29.${third}.0/24`;
    }
    throw new Error("no free /24 left in 172.29.0.0/16 for the data network");
}
