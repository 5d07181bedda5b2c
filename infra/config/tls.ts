// TLS: dev may generate a self-signed certificate; prod must bring a real one, as secrets.
import type { ConfigReader } from "./reader";
import type { BulwarkConfig } from "./types";

export function parseTls(r: ConfigReader, prod: boolean): BulwarkConfig["tls"] {
    const tlsModeValue = r.text("tlsMode", prod ? "provided" : "self-signed");
    if (tlsModeValue !== "self-signed" && tlsModeValue !== "provided") {
        r.problem("tlsMode", `must be "self-signed" or "provided", got ${JSON.stringify(tlsModeValue)}.`, "run `pulumi config set tlsMode provided`.");
    } else if (tlsModeValue === "self-signed" && prod) {
        r.problem("tlsMode", "is self-signed, which browsers reject; prod needs a real certificate (NET-04).", "run `pulumi config set tlsMode provided` and set tlsCertificate and tlsPrivateKey as secrets.");
    } else if (tlsModeValue === "provided") {
        return providedTls(r);
    }
    return { mode: "self-signed" };
}

/** The certificate chain and key, both secrets and both PEM. A missing one is a problem, so the self-signed stand-in never deploys. */
function providedTls(r: ConfigReader): BulwarkConfig["tls"] {
    const certificate = r.secret("tlsCertificate");
    const privateKey = r.secret("tlsPrivateKey");
    const certText = r.raw("tlsCertificate");
    const keyText = r.raw("tlsPrivateKey");
    if (!certText || !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(certText)) {
        r.problem("tlsCertificate", "must be a PEM certificate chain when tlsMode is provided.", "run `pulumi config set --secret tlsCertificate < fullchain.pem`.");
    }
    if (!keyText || !/-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (RSA |EC )?PRIVATE KEY-----/.test(keyText)) {
        r.problem("tlsPrivateKey", "must be a PEM private key when tlsMode is provided.", "run `pulumi config set --secret tlsPrivateKey < privkey.pem`.");
    }
    return certificate && privateKey ? { mode: "provided", certificate, privateKey } : { mode: "self-signed" };
}
