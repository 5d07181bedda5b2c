// age (age-encryption.org/v1) X25519 keys: a recipient is the bech32 "age" encoding of a Curve25519 public
// key, an identity the upper-cased bech32 "age-secret-key-" encoding of the private scalar. Knowing the
// format lets config validation prove that the recipient matches the identity before anything is deployed,
// and lets dev stacks derive a key pair from @pulumi/random bytes instead of a key kept in code.
import * as crypto from "node:crypto";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
    let chk = 1;
    for (const v of values) {
        const top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        GENERATORS.forEach((g, i) => {
            if ((top >>> i) & 1) {
                chk ^= g;
            }
        });
    }
    return chk;
}

function hrpExpand(hrp: string): number[] {
    const codes = [...hrp].map((c) => c.charCodeAt(0));
    return [...codes.map((c) => c >>> 5), 0, ...codes.map((c) => c & 31)];
}

function convertBits(data: Iterable<number>, from: number, to: number, pad: boolean): number[] | undefined {
    let acc = 0;
    let bits = 0;
    const out: number[] = [];
    const maxv = (1 << to) - 1;
    for (const value of data) {
        acc = (acc << from) | value;
        bits += from;
        while (bits >= to) {
            bits -= to;
            out.push((acc >>> bits) & maxv);
        }
    }
    if (pad && bits > 0) {
        out.push((acc << (to - bits)) & maxv);
    } else if (!pad && (bits >= from || ((acc << (to - bits)) & maxv) !== 0)) {
        return undefined;
    }
    return out;
}

export function bech32Encode(hrp: string, bytes: Uint8Array): string {
    const data = convertBits(bytes, 8, 5, true)!;
    const mod = polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
    const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
    return `${hrp}1${[...data, ...checksum].map((d) => CHARSET[d]).join("")}`;
}

export function bech32Decode(text: string): { hrp: string; bytes: Buffer } | undefined {
    if (text !== text.toLowerCase() && text !== text.toUpperCase()) {
        return undefined;
    }
    const lower = text.toLowerCase();
    const sep = lower.lastIndexOf("1");
    if (sep < 1 || sep + 7 > lower.length) {
        return undefined;
    }
    const hrp = lower.slice(0, sep);
    const data = [...lower.slice(sep + 1)].map((c) => CHARSET.indexOf(c));
    if (data.includes(-1) || polymod([...hrpExpand(hrp), ...data]) !== 1) {
        return undefined;
    }
    const bytes = convertBits(data.slice(0, -6), 5, 8, false);
    return bytes ? { hrp, bytes: Buffer.from(bytes) } : undefined;
}

const RECIPIENT_HRP = "age";
const IDENTITY_HRP = "age-secret-key-";
// PKCS#8 header for a raw X25519 private key (RFC 8410).
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

export function isAgeRecipient(text: string): boolean {
    const decoded = bech32Decode(text);
    return text === text.toLowerCase() && decoded?.hrp === RECIPIENT_HRP && decoded.bytes.length === 32;
}

export function isAgeIdentity(text: string): boolean {
    const decoded = bech32Decode(identityLine(text));
    return decoded?.hrp === IDENTITY_HRP && decoded.bytes.length === 32;
}

/** The identity's line, with age-keygen's comment lines dropped. */
export function identityLine(text: string): string {
    return text.trim().split(/\r?\n/).filter((l) => !l.startsWith("#"))[0] ?? "";
}

export function ageIdentityFromSecretBytes(secret: Buffer): string {
    if (secret.length !== 32) {
        throw new Error(`an age identity needs 32 random bytes, got ${secret.length}`);
    }
    return bech32Encode(IDENTITY_HRP, secret).toUpperCase();
}

export function ageRecipientFromIdentity(identity: string): string {
    const decoded = bech32Decode(identityLine(identity));
    if (decoded?.hrp !== IDENTITY_HRP || decoded.bytes.length !== 32) {
        throw new Error("not an age identity (AGE-SECRET-KEY-1...)");
    }
    const privateKey = crypto.createPrivateKey({
        key: Buffer.concat([X25519_PKCS8_PREFIX, decoded.bytes]),
        format: "der",
        type: "pkcs8",
    });
    const jwk = crypto.createPublicKey(privateKey).export({ format: "jwk" });
    return bech32Encode(RECIPIENT_HRP, Buffer.from(jwk.x!, "base64url"));
}
