// A PostgreSQL startup handshake without a client library: it sends the StartupMessage and reports what the
// server answers first (a password request, or an error such as a pg_hba rejection). No password is sent.
import * as net from "node:net";

export type PgProbeResult =
    | { readonly kind: "unreachable"; readonly detail: string }
    | { readonly kind: "rejected"; readonly detail: string }
    | { readonly kind: "password-requested"; readonly detail: string }
    | { readonly kind: "authenticated"; readonly detail: string };

const AUTH_METHODS: Readonly<Record<number, string>> = { 0: "none (trust)", 3: "cleartext password", 5: "MD5", 10: "SASL (SCRAM)" };

function startupMessage(user: string, database: string): Buffer {
    const params = Buffer.from(`user\0${user}\0database\0${database}\0application_name\0bulwark-probe\0\0`);
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4); // protocol 3.0
    return Buffer.concat([head, params]);
}

/** Fields of an ErrorResponse: type byte + NUL-terminated text, e.g. M (message), C (SQLSTATE). */
function errorFields(body: Buffer): Record<string, string> {
    const fields: Record<string, string> = {};
    let i = 0;
    while (i < body.length && body[i] !== 0) {
        const end = body.indexOf(0, i + 1);
        fields[String.fromCharCode(body[i])] = body.subarray(i + 1, end).toString("utf8");
        i = end + 1;
    }
    return fields;
}

export function pgStartupProbe(host: string, port: number, user: string, database: string, timeoutMs = 3000): Promise<PgProbeResult> {
    return new Promise((resolve) => {
        let buffer = Buffer.alloc(0);
        const socket = net.connect({ host, port, timeout: timeoutMs });
        const done = (r: PgProbeResult) => {
            socket.destroy();
            resolve(r);
        };
        socket.once("connect", () => socket.write(startupMessage(user, database)));
        socket.once("timeout", () => done({ kind: "unreachable", detail: `no TCP answer from ${host}:${port} within ${timeoutMs} ms` }));
        socket.once("error", (e: NodeJS.ErrnoException) => done({ kind: "unreachable", detail: `${host}:${port}: ${e.code ?? e.message}` }));
        socket.once("close", () => done({ kind: "unreachable", detail: `${host}:${port} closed the connection without an answer` }));
        socket.on("data", (d: Buffer) => {
            buffer = Buffer.concat([buffer, d]);
            if (buffer.length < 5) return;
            const length = buffer.readInt32BE(1);
            if (buffer.length < 1 + length) return;
            const type = String.fromCharCode(buffer[0]);
            const body = buffer.subarray(5, 1 + length);
            if (type === "E") {
                const f = errorFields(body);
                done({ kind: "rejected", detail: `${f.C ?? "?"} ${f.M ?? "error"}` });
            } else if (type === "R") {
                const method = body.readInt32BE(0);
                const name = AUTH_METHODS[method] ?? `method ${method}`;
                done(method === 0 ? { kind: "authenticated", detail: `logged in without a password (${name})` } : { kind: "password-requested", detail: `server asks for ${name}` });
            } else {
                done({ kind: "rejected", detail: `unexpected first message '${type}'` });
            }
        });
    });
}
