// age X25519 keys and their bech32 encoding (infra/age.ts), checked against a key pair made by the real
// age-keygen and against the BIP-173 bech32 vectors.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import {
    ageIdentityFromSecretBytes,
    ageRecipientFromIdentity,
    bech32Decode,
    bech32Encode,
    isAgeIdentity,
    isAgeRecipient,
} from "../../infra/age";

/** A pair made by the real `age-keygen`. */
const IDENTITY = "AGE-SECRET-KEY-14274YAA83XC7YZNWE23R75AYF463ZLP3QXZANR0J3XMURQXX6W8SXW4A7H";
const RECIPIENT = "age1q0sn5jl8grqk569l58vn02mntlxzjv7yhrtcrxywzdhp2arry52qrvfe7j";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** The string with one data character replaced (the checksum no longer matches). */
function corrupt(text: string, index: number): string {
    const chars = [...text];
    const lower = chars[index].toLowerCase();
    const next = CHARSET[(CHARSET.indexOf(lower) + 1) % CHARSET.length];
    chars[index] = chars[index] === lower ? next : next.toUpperCase();
    return chars.join("");
}

describe("infra age keys (bech32)", () => {
    it("derives the recipient age-keygen printed for the identity", () => {
        assert.equal(ageRecipientFromIdentity(IDENTITY), RECIPIENT);
    });

    it("accepts the age-keygen pair as identity and recipient, and not the other way round", () => {
        assert.ok(isAgeIdentity(IDENTITY));
        assert.ok(isAgeRecipient(RECIPIENT));
        assert.ok(!isAgeIdentity(RECIPIENT));
        assert.ok(!isAgeRecipient(IDENTITY));
        assert.ok(!isAgeRecipient(IDENTITY.toLowerCase()), "a lower-cased identity is not a recipient");
    });

    it("round-trips the identity through its 32 secret bytes", () => {
        const decoded = bech32Decode(IDENTITY);
        assert.ok(decoded);
        assert.equal(decoded.hrp, "age-secret-key-");
        assert.equal(decoded.bytes.length, 32);
        assert.equal(ageIdentityFromSecretBytes(decoded.bytes), IDENTITY);
    });

    it("accepts an identity file with age-keygen's comment lines", () => {
        const file = `# created: 2024-05-01T10:00:00Z\n# public key: ${RECIPIENT}\n${IDENTITY}\n`;
        assert.ok(isAgeIdentity(file));
        assert.equal(ageRecipientFromIdentity(file), RECIPIENT);
        assert.equal(ageRecipientFromIdentity(file.replace(/\n/g, "\r\n")), RECIPIENT);
    });

    it("rejects mixed case", () => {
        const mixedIdentity = IDENTITY.slice(0, 20) + IDENTITY.slice(20).toLowerCase();
        assert.equal(bech32Decode(mixedIdentity), undefined);
        assert.ok(!isAgeIdentity(mixedIdentity));
        assert.throws(() => ageRecipientFromIdentity(mixedIdentity));
        const mixedRecipient = RECIPIENT.slice(0, 10) + RECIPIENT.slice(10).toUpperCase();
        assert.equal(bech32Decode(mixedRecipient), undefined);
        assert.ok(!isAgeRecipient(mixedRecipient));
    });

    it("rejects an upper-case recipient (age writes recipients in lower case)", () => {
        assert.ok(bech32Decode(RECIPIENT.toUpperCase()), "valid bech32");
        assert.ok(!isAgeRecipient(RECIPIENT.toUpperCase()));
    });

    it("rejects a bad checksum anywhere in the key", () => {
        for (const index of [5, 20, RECIPIENT.length - 1]) {
            assert.ok(!isAgeRecipient(corrupt(RECIPIENT, index)), `recipient, char ${index}`);
        }
        for (const index of [17, 40, IDENTITY.length - 1]) {
            const bad = corrupt(IDENTITY, index);
            assert.ok(!isAgeIdentity(bad), `identity, char ${index}`);
            assert.throws(() => ageRecipientFromIdentity(bad), /not an age identity/);
        }
    });

    it("rejects keys of the wrong length and characters outside the bech32 alphabet", () => {
        const short = bech32Encode("age", crypto.randomBytes(31));
        assert.ok(bech32Decode(short), "valid bech32");
        assert.ok(!isAgeRecipient(short));
        assert.ok(!isAgeIdentity(bech32Encode("age-secret-key-", crypto.randomBytes(33)).toUpperCase()));
        assert.ok(!isAgeRecipient(RECIPIENT.replace(/q/, "b")), "b is not in the alphabet");
        assert.ok(!isAgeRecipient(""));
        assert.ok(!isAgeIdentity(""));
    });

    it("makes identities only from exactly 32 bytes, and every generated pair is valid", () => {
        assert.throws(() => ageIdentityFromSecretBytes(crypto.randomBytes(31)), /32 random bytes/);
        assert.throws(() => ageIdentityFromSecretBytes(crypto.randomBytes(64)), /32 random bytes/);
        for (let i = 0; i < 5; i++) {
            const identity = ageIdentityFromSecretBytes(crypto.randomBytes(32));
            assert.match(identity, /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
            const recipient = ageRecipientFromIdentity(identity);
            assert.match(recipient, /^age1[0-9a-z]{58}$/);
            assert.ok(isAgeIdentity(identity) && isAgeRecipient(recipient));
        }
    });

    it("agrees with the BIP-173 bech32 test vectors", () => {
        const valid = ["A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"];
        for (const text of valid) {
            assert.ok(bech32Decode(text), text);
        }
        const invalid = ["pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee"];
        for (const text of invalid) {
            assert.equal(bech32Decode(text), undefined, text);
        }
        assert.equal(bech32Encode("a", new Uint8Array()), "a12uel5l");
    });
});
