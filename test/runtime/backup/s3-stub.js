// A put-only S3 endpoint for the backup tests, run with plain `node` inside a container on a test network.
// It checks what real S3 checks on a PutObject and on each call of a multipart upload (CreateMultipartUpload,
// UploadPart, CompleteMultipartUpload, AbortMultipartUpload): the SigV4 signature (canonical request, signed
// headers, credential scope, clock skew), the x-amz-content-sha256 payload hash, Content-MD5 and
// x-amz-checksum-sha256 of each body (BadDigest), and the SSE headers; it answers like S3 (ETag = MD5 without
// KMS, or for a multipart object the MD5 of the parts' MD5s "-<parts>"; x-amz-checksum-sha256 echoed, for a
// multipart object the composite: base64(sha256(the parts' digests))-<parts>; a version id). Reads, listings
// and deletes are refused (the uploader's identity may only put and abort its own uploads), and counted, so a
// test can prove the uploader never reads or lists. A conditional PUT or CompleteMultipartUpload
// (If-None-Match: *) of a key that exists is refused with 412 PreconditionFailed and changes nothing, as S3 does
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html); without the header S3 adds a
// version. S3_STUB_REQUIRE_IF_NONE_MATCH=1 and S3_STUB_REQUIRED_KMS_KEY_ID=<arn> answer 403 as the stack's bucket
// policy does (infra/components/offsite.ts uploadGuardStatements): to a PutObject or CompleteMultipartUpload
// without If-None-Match (CreateMultipartUpload and UploadPart are exempt), and to a request naming another
// encryption than SSE-KMS, another KMS key, SSE-KMS without a key, or SSE-C.
//
// Environment: S3_STUB_PORT, S3_STUB_ACCESS_KEY_ID, S3_STUB_SECRET_ACCESS_KEY, S3_STUB_REGION, S3_STUB_DIR.
// Faults: write into $S3_STUB_DIR/fault "corrupt-next" (flip one byte of the next body, as a network would),
// "error-next" (answer the next PUT with 500), "error-manifest" (the next PUT of a .json key), "error-part-N"
// (the next UploadPart number N), "stall-parts" (hold every UploadPart's answer for 30 s, so that a test can
// stop the uploader mid-part; removing the file releases them) or "stall-create" (the same for the answer to
// CreateMultipartUpload: the upload exists, the uploader does not know its id yet). State: $S3_STUB_DIR/index.json, with the
// multipart uploads in progress (what ListMultipartUploads would show an admin) under `uploads`. It also
// receives the alert webhook (POST /__alerts).
"use strict";
const http = require("node:http");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const PORT = Number(process.env.S3_STUB_PORT || 9000);
const ACCESS_KEY = process.env.S3_STUB_ACCESS_KEY_ID || "";
const SECRET_KEY = process.env.S3_STUB_SECRET_ACCESS_KEY || "";
const REGION = process.env.S3_STUB_REGION || "eu-central-1";
const DIR = process.env.S3_STUB_DIR || "/tmp/s3";
const INDEX = path.join(DIR, "index.json");
const FAULT = path.join(DIR, "fault");
const REQUIRE_IF_NONE_MATCH = process.env.S3_STUB_REQUIRE_IF_NONE_MATCH === "1";
const REQUIRED_KMS_KEY_ID = process.env.S3_STUB_REQUIRED_KMS_KEY_ID || "";

const state = { objects: [], rejected: [], alerts: [], uploads: [], aborted: [] };
const save = () => {
    fs.writeFileSync(`${INDEX}.tmp`, JSON.stringify(state, null, 1));
    fs.renameSync(`${INDEX}.tmp`, INDEX);
};

const sha256 = (data, enc = "hex") => crypto.createHash("sha256").update(data).digest(enc);
const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();
const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function readFault() {
    try {
        return fs.readFileSync(FAULT, "utf8").trim();
    } catch {
        return "";
    }
}

/** The fault for this request, taken (removed) when it applies to it; "stall-parts" stays until removed. */
function takeFault(key, partNumber) {
    const fault = readFault();
    if (!fault || fault === "stall-parts" || fault === "stall-create") {
        return "";
    }
    if (fault === "error-manifest" && !key.endsWith(".json")) {
        return "";
    }
    const part = /^error-part-(\d+)$/.exec(fault);
    if (part && Number(part[1]) !== partNumber) {
        return "";
    }
    fs.rmSync(FAULT, { force: true });
    return part ? "error-next" : fault;
}

function fail(res, status, code, message, req) {
    state.rejected.push({ time: new Date().toISOString(), method: req.method, url: req.url, status, code });
    save();
    res.writeHead(status, { "Content-Type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** Checks the SigV4 Authorization header; returns an error [status, code, message] or undefined. */
function checkSignature(req, url) {
    const auth = req.headers.authorization || "";
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) {
        return [403, "AccessDenied", "missing or malformed SigV4 Authorization header"];
    }
    const [, accessKey, date, region, signedHeaderList, signature] = m;
    if (accessKey !== ACCESS_KEY) {
        return [403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."];
    }
    if (region !== REGION) {
        return [400, "AuthorizationHeaderMalformed", `the region '${region}' is wrong; expecting '${REGION}'`];
    }
    const amzDate = req.headers["x-amz-date"] || "";
    const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!when || amzDate.slice(0, 8) !== date) {
        return [403, "AccessDenied", "x-amz-date is missing or does not match the credential scope"];
    }
    const skew = Math.abs(Date.UTC(+when[1], +when[2] - 1, +when[3], +when[4], +when[5], +when[6]) - Date.now());
    if (skew > 15 * 60 * 1000) {
        return [403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."];
    }
    const signed = signedHeaderList.split(";");
    const mustSign = ["host", "x-amz-content-sha256", "x-amz-date", ...Object.keys(req.headers).filter((h) => h.startsWith("x-amz-"))];
    const unsigned = mustSign.filter((h) => !signed.includes(h));
    if (unsigned.length > 0) {
        return [403, "AccessDenied", `headers must be signed: ${unsigned.join(", ")}`];
    }
    const canonicalUri = url.pathname.split("/").map((seg) => rfc3986(decodeURIComponent(seg))).join("/");
    const canonicalQuery = [...url.searchParams.entries()]
        .map(([k, v]) => [rfc3986(k), rfc3986(v)])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
    const canonicalHeaders = signed.map((h) => `${h}:${String(req.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
    const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaderList, req.headers["x-amz-content-sha256"]].join("\n");
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${SECRET_KEY}`, date), region), "s3"), "aws4_request");
    const expected = crypto.createHmac("sha256", key).update(stringToSign).digest("hex");
    if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
        return [403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."];
    }
    return undefined;
}

const objectFile = (bucket, key) => path.join(DIR, "objects", rfc3986(`${bucket}/${key}`));
const partFile = (uploadId, n) => path.join(DIR, "parts", `${uploadId}-${n}`);
const exists = (bucket, key) => state.objects.some((o) => o.bucket === bucket && o.key === key);

/** The Deny statements of the stack's bucket policy that apply to this call, as S3 would evaluate them. */
function bucketPolicyDenial(req, call) {
    const h = req.headers;
    const createsObject = call === "PutObject" || call === "CompleteMultipartUpload";
    if (REQUIRE_IF_NONE_MATCH && createsObject && h["if-none-match"] === undefined) {
        return "explicit deny in the bucket policy: s3:if-none-match is missing";
    }
    if (REQUIRED_KMS_KEY_ID) {
        const sse = h["x-amz-server-side-encryption"];
        const key = h["x-amz-server-side-encryption-aws-kms-key-id"];
        if ((sse !== undefined && sse !== "aws:kms") || (key !== undefined && key !== REQUIRED_KMS_KEY_ID) || (sse !== undefined && key === undefined)) {
            return "explicit deny in the bucket policy: s3:x-amz-server-side-encryption-aws-kms-key-id is not the stack's key";
        }
        if (h["x-amz-server-side-encryption-customer-algorithm"] !== undefined) {
            return "explicit deny in the bucket policy: SSE-C";
        }
    }
    return undefined;
}

/** Checks a body against its x-amz-content-sha256, Content-MD5 and x-amz-checksum-sha256; an error or undefined. */
function checkBody(req, body) {
    const payloadHash = req.headers["x-amz-content-sha256"];
    if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== sha256(body)) {
        return [400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."];
    }
    const md5 = crypto.createHash("md5").update(body).digest("base64");
    if (req.headers["content-md5"] !== undefined && req.headers["content-md5"] !== md5) {
        return [400, "BadDigest", "The Content-MD5 you specified did not match what we received."];
    }
    if (req.headers["x-amz-checksum-sha256"] !== undefined && req.headers["x-amz-checksum-sha256"] !== sha256(body, "base64")) {
        return [400, "BadDigest", "The SHA256 you specified did not match the calculated checksum."];
    }
    return undefined;
}

function sseHeaders(sse, kmsKeyId) {
    const headers = {};
    if (sse) {
        headers["x-amz-server-side-encryption"] = sse;
        if (kmsKeyId) {
            headers["x-amz-server-side-encryption-aws-kms-key-id"] = kmsKeyId;
        }
    }
    return headers;
}

const uploads = new Map();
function publishUploads() {
    state.uploads = [...uploads.values()].map((u) => ({ uploadId: u.uploadId, bucket: u.bucket, key: u.key, initiated: u.initiated, parts: [...u.parts.keys()].sort((a, b) => a - b), held: [...u.held].sort((a, b) => a - b) }));
    save();
}

const xml = (res, status, body, headers = {}) => {
    res.writeHead(status, { "Content-Type": "application/xml", ...headers });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
};

function putObject(req, res, bucket, key, body) {
    const h = req.headers;
    const ifNoneMatch = h["if-none-match"];
    if (ifNoneMatch === "*" && exists(bucket, key)) {
        return fail(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", req);
    }
    const fault = takeFault(key);
    body = receivedBody(req, res, fault === "error-manifest" ? "error-next" : fault, body);
    if (body === undefined) {
        return;
    }
    const sse = h["x-amz-server-side-encryption"];
    if (sse !== undefined && sse !== "aws:kms" && sse !== "AES256") {
        return fail(res, 400, "InvalidArgument", "The encryption method specified is not supported", req);
    }
    const versionId = crypto.randomBytes(16).toString("hex");
    fs.writeFileSync(objectFile(bucket, key), body);
    const md5 = crypto.createHash("md5").update(body).digest("hex");
    const record = {
        time: new Date().toISOString(),
        bucket,
        key,
        size: body.length,
        sha256: sha256(body),
        md5,
        etag: md5,
        versionId,
        sse: sse ?? null,
        kmsKeyId: h["x-amz-server-side-encryption-aws-kms-key-id"] ?? null,
        contentSha256Signed: h["x-amz-content-sha256"] !== "UNSIGNED-PAYLOAD",
        ifNoneMatch: ifNoneMatch ?? null,
        parts: null,
        checksumSha256: h["x-amz-checksum-sha256"] ?? null,
    };
    state.objects.push(record);
    save();
    const headers = { ETag: `"${record.md5}"`, "x-amz-version-id": versionId, ...sseHeaders(sse, record.kmsKeyId) };
    if (h["x-amz-checksum-sha256"] !== undefined) {
        headers["x-amz-checksum-sha256"] = sha256(body, "base64");
    }
    res.writeHead(200, headers);
    res.end();
}

/**
 * The body as S3 would receive it under `fault` ("corrupt-next" flips one byte, as a network would), checked
 * against the request's digests; undefined when S3 has already answered (500 for "error-next", or the check).
 */
function receivedBody(req, res, fault, body) {
    if (fault === "error-next") {
        fail(res, 500, "InternalError", "We encountered an internal error. Please try again.", req);
        return undefined;
    }
    if (fault === "corrupt-next" && body.length > 0) {
        body = Buffer.from(body);
        body[Math.floor(body.length / 2)] ^= 0x01;
    }
    const bad = checkBody(req, body);
    if (bad) {
        fail(res, bad[0], bad[1], bad[2], req);
        return undefined;
    }
    return body;
}

/** Runs `then` once the fault file no longer says `stall` (checked every 100 ms, at most 30 s). */
function holdWhile(stall, then) {
    const started = Date.now();
    const hold = () => (readFault() === stall && Date.now() - started < 30_000 ? setTimeout(hold, 100) : then());
    hold();
}

function createUpload(req, res, bucket, key) {
    const h = req.headers;
    const sse = h["x-amz-server-side-encryption"];
    const uploadId = crypto.randomBytes(24).toString("base64url");
    uploads.set(uploadId, {
        uploadId,
        bucket,
        key,
        initiated: new Date().toISOString(),
        sse: sse ?? null,
        kmsKeyId: h["x-amz-server-side-encryption-aws-kms-key-id"] ?? null,
        checksumAlgorithm: h["x-amz-checksum-algorithm"] ?? null,
        parts: new Map(),
        // Parts whose answer "stall-parts" holds: sent in full, not yet answered.
        held: new Set(),
    });
    publishUploads();
    const respond = () =>
        xml(res, 200, `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`, sseHeaders(sse, h["x-amz-server-side-encryption-aws-kms-key-id"]));
    // Started, but its id not yet told, while the fault file says "stall-create".
    holdWhile("stall-create", respond);
}

function uploadPart(req, res, upload, partNumber, body) {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
        return fail(res, 400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", req);
    }
    const respond = () => {
        body = receivedBody(req, res, takeFault(upload.key, partNumber), body);
        if (body === undefined) {
            return;
        }
        if (upload.checksumAlgorithm === "SHA256" && req.headers["x-amz-checksum-sha256"] === undefined) {
            return fail(res, 400, "InvalidRequest", "The upload was created using a sha256 checksum. The part is missing its checksum.", req);
        }
        if (!uploads.has(upload.uploadId)) {
            return fail(res, 404, "NoSuchUpload", "The specified multipart upload does not exist.", req);
        }
        fs.writeFileSync(partFile(upload.uploadId, partNumber), body);
        const md5 = crypto.createHash("md5").update(body).digest("hex");
        upload.parts.set(partNumber, { md5, sha256: sha256(body, "base64"), size: body.length });
        publishUploads();
        res.writeHead(200, { ETag: `"${md5}"`, "x-amz-checksum-sha256": sha256(body, "base64"), ...sseHeaders(upload.sse, upload.kmsKeyId) });
        res.end();
    };
    // Held while the fault file says "stall-parts": the uploader is mid-part meanwhile.
    if (readFault() === "stall-parts") {
        upload.held.add(partNumber);
        publishUploads();
    }
    holdWhile("stall-parts", () => {
        upload.held.delete(partNumber);
        publishUploads();
        respond();
    });
}

function completeUpload(req, res, upload, body) {
    const bad = checkBody(req, body);
    if (bad) {
        return fail(res, bad[0], bad[1], bad[2], req);
    }
    if (req.headers["if-none-match"] === "*" && exists(upload.bucket, upload.key)) {
        // The upload stays, as in S3: the client aborts it.
        return fail(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", req);
    }
    const listed = [...body.toString("utf8").matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
        n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1])?.[1]),
        etag: (/<ETag>([^<]*)<\/ETag>/.exec(m[1])?.[1] ?? "").replace(/&quot;|"/g, ""),
        checksum: /<ChecksumSHA256>([^<]*)<\/ChecksumSHA256>/.exec(m[1])?.[1],
    }));
    if (listed.length === 0) {
        return fail(res, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.", req);
    }
    for (const [i, p] of listed.entries()) {
        const stored = upload.parts.get(p.n);
        if (i > 0 && p.n <= listed[i - 1].n) {
            return fail(res, 400, "InvalidPartOrder", "The list of parts was not in ascending order.", req);
        }
        if (!stored || stored.md5 !== p.etag || (upload.checksumAlgorithm === "SHA256" && stored.sha256 !== p.checksum)) {
            return fail(res, 400, "InvalidPart", `One or more of the specified parts could not be found (part ${p.n}).`, req);
        }
        if (i < listed.length - 1 && stored.size < 5 * 1024 * 1024) {
            return fail(res, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", req);
        }
    }
    const data = Buffer.concat(listed.map((p) => fs.readFileSync(partFile(upload.uploadId, p.n))));
    const etag = `${crypto.createHash("md5").update(Buffer.concat(listed.map((p) => Buffer.from(upload.parts.get(p.n).md5, "hex")))).digest("hex")}-${listed.length}`;
    const composite = upload.checksumAlgorithm === "SHA256"
        ? `${crypto.createHash("sha256").update(Buffer.concat(listed.map((p) => Buffer.from(p.checksum, "base64")))).digest("base64")}-${listed.length}`
        : null;
    const versionId = crypto.randomBytes(16).toString("hex");
    fs.writeFileSync(objectFile(upload.bucket, upload.key), data);
    state.objects.push({
        time: new Date().toISOString(),
        bucket: upload.bucket,
        key: upload.key,
        size: data.length,
        sha256: sha256(data),
        md5: crypto.createHash("md5").update(data).digest("hex"),
        etag,
        versionId,
        sse: upload.sse,
        kmsKeyId: upload.kmsKeyId,
        contentSha256Signed: req.headers["x-amz-content-sha256"] !== "UNSIGNED-PAYLOAD",
        ifNoneMatch: req.headers["if-none-match"] ?? null,
        parts: listed.length,
        checksumSha256: composite,
    });
    dropUpload(upload.uploadId);
    xml(
        res,
        200,
        `<CompleteMultipartUploadResult><Bucket>${upload.bucket}</Bucket><Key>${upload.key}</Key><ETag>&quot;${etag}&quot;</ETag>` +
            (composite ? `<ChecksumSHA256>${composite}</ChecksumSHA256>` : "") +
            "</CompleteMultipartUploadResult>",
        { "x-amz-version-id": versionId, ...sseHeaders(upload.sse, upload.kmsKeyId) },
    );
}

function dropUpload(uploadId) {
    const upload = uploads.get(uploadId);
    for (const n of upload?.parts.keys() ?? []) {
        fs.rmSync(partFile(uploadId, n), { force: true });
    }
    uploads.delete(uploadId);
    publishUploads();
}

const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
        const url = new URL(req.url, "http://stub");
        const body = Buffer.concat(chunks);
        // Doubles as the alert webhook's receiver: POST /__alerts records the JSON body.
        if (req.method === "POST" && url.pathname === "/__alerts") {
            state.alerts.push(JSON.parse(body.toString("utf8") || "null"));
            save();
            res.writeHead(204);
            return res.end();
        }
        const q = url.searchParams;
        const uploadId = q.get("uploadId");
        const call =
            req.method === "PUT" && uploadId !== null && q.has("partNumber") ? "UploadPart"
            : req.method === "PUT" && [...q.keys()].length === 0 ? "PutObject"
            : req.method === "POST" && q.has("uploads") ? "CreateMultipartUpload"
            : req.method === "POST" && uploadId !== null ? "CompleteMultipartUpload"
            : req.method === "DELETE" && uploadId !== null ? "AbortMultipartUpload"
            : undefined;
        if (!call) {
            return fail(res, 403, "AccessDenied", "this identity may only put objects and abort its own multipart uploads", req);
        }
        const [, bucket, ...keyParts] = url.pathname.split("/");
        const key = keyParts.map(decodeURIComponent).join("/");
        if (!bucket || !key) {
            return fail(res, 400, "InvalidRequest", "path-style /bucket/key expected", req);
        }
        const authError = checkSignature(req, url);
        if (authError) {
            return fail(res, authError[0], authError[1], authError[2], req);
        }
        if (!req.headers["x-amz-content-sha256"]) {
            return fail(res, 400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256", req);
        }
        // The bucket policy's Deny statements are evaluated before the object is looked at.
        const denial = bucketPolicyDenial(req, call);
        if (denial) {
            return fail(res, 403, "AccessDenied", denial, req);
        }
        if (call === "PutObject") {
            return putObject(req, res, bucket, key, body);
        }
        if (call === "CreateMultipartUpload") {
            return createUpload(req, res, bucket, key);
        }
        const upload = uploads.get(uploadId);
        if (!upload || upload.bucket !== bucket || upload.key !== key) {
            return fail(res, 404, "NoSuchUpload", "The specified multipart upload does not exist.", req);
        }
        if (call === "UploadPart") {
            return uploadPart(req, res, upload, Number(q.get("partNumber")), body);
        }
        if (call === "CompleteMultipartUpload") {
            return completeUpload(req, res, upload, body);
        }
        state.aborted.push({ time: new Date().toISOString(), uploadId, key, parts: upload.parts.size });
        dropUpload(uploadId);
        res.writeHead(204);
        res.end();
    });
});
// Only as a program: a test runner globbing this folder must not start a server by loading it.
if (require.main === module) {
    fs.mkdirSync(path.join(DIR, "objects"), { recursive: true });
    fs.mkdirSync(path.join(DIR, "parts"), { recursive: true });
    save();
    server.listen(PORT, "0.0.0.0", () => console.log(JSON.stringify({ event: "s3_stub_listening", port: PORT })));
    process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
