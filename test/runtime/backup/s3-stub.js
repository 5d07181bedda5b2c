// A put-only S3 endpoint for the backup tests, run with plain `node` inside a container on a test network.
// It checks what real S3 checks on a PutObject: the SigV4 signature (canonical request, signed headers,
// credential scope, clock skew), the x-amz-content-sha256 payload hash, Content-MD5 and
// x-amz-checksum-sha256 (BadDigest), and the SSE headers; it answers like S3 (ETag = MD5 without KMS,
// x-amz-checksum-sha256 echoed, a version id). Anything but PUT is refused (the uploader's identity may
// only put), and counted, so a test can prove the uploader never reads or lists. A conditional PUT
// (If-None-Match: *) of a key that exists is refused with 412 PreconditionFailed and changes nothing, as S3
// does (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html); without the header
// S3 adds a version. S3_STUB_REQUIRE_IF_NONE_MATCH=1 and S3_STUB_REQUIRED_KMS_KEY_ID=<arn> answer 403 as
// the stack's bucket policy does to a PUT without the header or with another (or no) KMS key.
//
// Environment: S3_STUB_PORT, S3_STUB_ACCESS_KEY_ID, S3_STUB_SECRET_ACCESS_KEY, S3_STUB_REGION, S3_STUB_DIR.
// Faults: write "corrupt-next" (flip one byte of the next body, as a network would), "error-next" (answer
// the next PUT with 500) or "error-manifest" (answer the next PUT of a .json key with 500) into
// $S3_STUB_DIR/fault. State: $S3_STUB_DIR/index.json. It also receives the
// alert webhook (POST /__alerts).
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

const state = { objects: [], rejected: [], alerts: [] };
const save = () => {
    fs.writeFileSync(`${INDEX}.tmp`, JSON.stringify(state, null, 1));
    fs.renameSync(`${INDEX}.tmp`, INDEX);
};

const sha256 = (data, enc = "hex") => crypto.createHash("sha256").update(data).digest(enc);
const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();
const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function takeFault(key) {
    try {
        const fault = fs.readFileSync(FAULT, "utf8").trim();
        if (fault === "error-manifest" && !key.endsWith(".json")) {
            return "";
        }
        fs.unlinkSync(FAULT);
        return fault;
    } catch {
        return "";
    }
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

const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
        const url = new URL(req.url, "http://stub");
        // Doubles as the alert webhook's receiver: POST /__alerts records the JSON body.
        if (req.method === "POST" && url.pathname === "/__alerts") {
            state.alerts.push(JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"));
            save();
            res.writeHead(204);
            return res.end();
        }
        if (req.method !== "PUT") {
            return fail(res, 403, "AccessDenied", "this identity may only put objects", req);
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
        const ifNoneMatch = req.headers["if-none-match"];
        if (REQUIRE_IF_NONE_MATCH && ifNoneMatch === undefined) {
            return fail(res, 403, "AccessDenied", "explicit deny in the bucket policy: s3:if-none-match is missing", req);
        }
        if (REQUIRED_KMS_KEY_ID && req.headers["x-amz-server-side-encryption-aws-kms-key-id"] !== REQUIRED_KMS_KEY_ID) {
            return fail(res, 403, "AccessDenied", "explicit deny in the bucket policy: s3:x-amz-server-side-encryption-aws-kms-key-id is not the stack's key", req);
        }
        if (ifNoneMatch === "*" && state.objects.some((o) => o.bucket === bucket && o.key === key)) {
            return fail(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", req);
        }
        let body = Buffer.concat(chunks);
        const fault = takeFault(key);
        if (fault === "error-next" || fault === "error-manifest") {
            return fail(res, 500, "InternalError", "We encountered an internal error. Please try again.", req);
        }
        if (fault === "corrupt-next" && body.length > 0) {
            body = Buffer.from(body);
            body[Math.floor(body.length / 2)] ^= 0x01;
        }
        const payloadHash = req.headers["x-amz-content-sha256"];
        if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== sha256(body)) {
            return fail(res, 400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", req);
        }
        const md5 = crypto.createHash("md5").update(body).digest();
        if (req.headers["content-md5"] !== undefined && req.headers["content-md5"] !== md5.toString("base64")) {
            return fail(res, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.", req);
        }
        const checksum = sha256(body, "base64");
        if (req.headers["x-amz-checksum-sha256"] !== undefined && req.headers["x-amz-checksum-sha256"] !== checksum) {
            return fail(res, 400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.", req);
        }
        const sse = req.headers["x-amz-server-side-encryption"];
        if (sse !== undefined && sse !== "aws:kms" && sse !== "AES256") {
            return fail(res, 400, "InvalidArgument", "The encryption method specified is not supported", req);
        }
        const versionId = crypto.randomBytes(16).toString("hex");
        fs.writeFileSync(path.join(DIR, "objects", rfc3986(`${bucket}/${key}`)), body);
        const record = {
            time: new Date().toISOString(),
            bucket,
            key,
            size: body.length,
            sha256: sha256(body),
            md5: md5.toString("hex"),
            versionId,
            sse: sse ?? null,
            kmsKeyId: req.headers["x-amz-server-side-encryption-aws-kms-key-id"] ?? null,
            contentSha256Signed: payloadHash !== "UNSIGNED-PAYLOAD",
            ifNoneMatch: ifNoneMatch ?? null,
        };
        state.objects.push(record);
        save();
        const headers = { ETag: `"${record.md5}"`, "x-amz-version-id": versionId };
        if (req.headers["x-amz-checksum-sha256"] !== undefined) {
            headers["x-amz-checksum-sha256"] = checksum;
        }
        if (sse) {
            headers["x-amz-server-side-encryption"] = sse;
            if (record.kmsKeyId) {
                headers["x-amz-server-side-encryption-aws-kms-key-id"] = record.kmsKeyId;
            }
        }
        res.writeHead(200, headers);
        res.end();
    });
});
// Only as a program: a test runner globbing this folder must not start a server by loading it.
if (require.main === module) {
    fs.mkdirSync(path.join(DIR, "objects"), { recursive: true });
    save();
    server.listen(PORT, "0.0.0.0", () => console.log(JSON.stringify({ event: "s3_stub_listening", port: PORT })));
    process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
