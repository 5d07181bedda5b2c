// The S3 stand-in (s3-stub.js) and the off-site uploader on a sandbox network, as the off-site and fault suites
// run them: the uploader with the program's image and hardening, the stand-in denying what the stack's bucket
// policy denies (a PUT or Complete without If-None-Match, another or no KMS key).
import * as crypto from "node:crypto";
import * as path from "node:path";
import { BACKUP_DIR } from "../../../infra/components/backup";
import { BACKUP_USERS } from "../../../infra/components/images";
import { buildImage, exec, logs, readJson, Sandbox, UPLOAD_STATE_DIR, waitFor } from "../../../tools/runtime/backup";

export interface StubObject {
    key: string;
    size: number;
    sha256: string;
    etag: string;
    versionId: string;
    sse: string | null;
    kmsKeyId: string | null;
    contentSha256Signed: boolean;
    ifNoneMatch: string | null;
    /** The number of parts of a multipart object; null for a single PUT. */
    parts: number | null;
    checksumSha256: string | null;
}
export interface StubState {
    objects: StubObject[];
    rejected: { method: string; url: string; status: number; code: string }[];
    alerts: { event: string; component: string; details: Record<string, unknown> }[];
    /** Multipart uploads in progress, as ListMultipartUploads would show an admin. */
    uploads: { uploadId: string; key: string; parts: number[]; held: number[] }[];
    aborted: { uploadId: string; key: string; parts: number }[];
}

export interface S3Access {
    readonly id: string;
    readonly secret: string;
    readonly kmsKeyArn: string;
}

export function newAccess(): S3Access {
    return {
        id: `AKIA${crypto.randomBytes(8).toString("hex").toUpperCase()}`,
        secret: crypto.randomBytes(30).toString("base64url"),
        kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/0f3c1c8e-5d6a-4c57-9f1e-2b7a6c1d9e00",
    };
}

/** Starts the stand-in on `network` with alias "s3" and waits until it listens. */
export async function startS3Stub(box: Sandbox, network: string, access: S3Access): Promise<string> {
    const stub = box.run({
        name: box.name("s3"),
        image: buildImage("backup"),
        network,
        aliases: ["s3"],
        memoryMb: 256,
        tmpfs: [{ path: "/tmp", sizeMb: 128 }],
        binds: [
            { source: process.execPath, target: "/opt/node/bin/node" },
            { source: path.join(__dirname, "s3-stub.js"), target: "/opt/s3-stub.js" },
        ],
        env: {
            S3_STUB_PORT: "9000",
            S3_STUB_ACCESS_KEY_ID: access.id,
            S3_STUB_SECRET_ACCESS_KEY: access.secret,
            S3_STUB_REGION: "eu-central-1",
            S3_STUB_REQUIRE_IF_NONE_MATCH: "1",
            S3_STUB_REQUIRED_KMS_KEY_ID: access.kmsKeyArn,
        },
        command: ["/opt/node/bin/node", "/opt/s3-stub.js"],
    });
    await waitFor("the S3 stand-in", 30_000, () => logs(stub).includes("s3_stub_listening"));
    return stub;
}

export interface UploaderOptions {
    readonly network: string;
    /** The backup volume, mounted read-only as in the stack. */
    readonly volume: string;
    readonly access: S3Access;
    readonly what?: string;
    readonly env?: Record<string, string>;
}

/** The uploader as infra/components/backup.ts runs it, pointed at the stand-in, passing every 2 s. */
export function startUploader(box: Sandbox, o: UploaderOptions): string {
    const what = o.what ?? "offsite-uploader";
    return box.run({
        name: box.name(what),
        image: buildImage("backup"),
        user: BACKUP_USERS.uploader,
        network: o.network,
        volumes: [
            { source: o.volume, target: BACKUP_DIR, readOnly: true },
            { source: box.volume(`${what}-state`), target: UPLOAD_STATE_DIR },
        ],
        tmpfs: [{ path: "/tmp", sizeMb: 64 }],
        env: {
            BACKUP_DIR,
            UPLOAD_STATE_DIR,
            S3_BUCKET: "bulwark-test-backups",
            S3_KMS_KEY_ARN: o.access.kmsKeyArn,
            AWS_REGION: "eu-central-1",
            AWS_ACCESS_KEY_ID: o.access.id,
            AWS_SECRET_ACCESS_KEY: o.access.secret,
            S3_ENDPOINT_URL: "http://s3:9000",
            UPLOAD_INTERVAL_SECONDS: "2",
            ALERT_WEBHOOK_URL: "http://s3:9000/__alerts",
            ...o.env,
        },
        command: ["offsite-uploader"],
    });
}

export const stubState = (stub: string): StubState => readJson<StubState>(stub, "/tmp/s3/index.json");

/** Sets (or with "" clears) the stand-in's fault. */
export function setFault(stub: string, fault: string): void {
    const r = exec(stub, ["sh", "-c", fault ? `echo ${fault} > /tmp/s3/fault` : "rm -f /tmp/s3/fault"]);
    if (r.code !== 0) throw new Error(`cannot set the stand-in's fault: ${r.stderr}`);
}

/**
 * S3's checksum of a multipart object, computed here from the local file in `container`: base64(sha256 of the
 * parts' binary SHA-256 digests) + "-" + parts.
 */
export function compositeChecksum(container: string, file: string, partBytes: number): string {
    const r = exec(container, ["bash", "-c", `size=$(stat -c %s ${file}); for ((o = 0; o < size; o += ${partBytes})); do tail -c +$((o + 1)) ${file} | head -c ${partBytes} | sha256sum | cut -d' ' -f1; done`]);
    if (r.code !== 0) throw new Error(`cannot hash the parts of ${file}: ${r.stderr}`);
    const digests = r.stdout.trim().split("\n");
    const composite = crypto.createHash("sha256").update(Buffer.concat(digests.map((d) => Buffer.from(d, "hex")))).digest("base64");
    return `${composite}-${digests.length}`;
}
