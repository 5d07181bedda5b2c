// TLS: tlsMode, and the certificate and private key a provided mode needs.
import { pemBlock } from "../../../tools/mocks/stack-run";
import { assertRejected } from "./helpers";

describe("infra config validation (loadConfig): tls", () => {
    describe("rejected values", () => {
        it("tlsMode: an unknown mode", () => {
            assertRejected("dev", { tlsMode: "letsencrypt" }, "tlsMode");
        });

        it("tlsMode: self-signed in prod", () => {
            assertRejected("prod", { tlsMode: "self-signed" }, "tlsMode", { message: /NET-04/ });
        });

        it("tlsCertificate: missing when tlsMode is provided", () => {
            assertRejected("prod", { tlsCertificate: undefined }, "tlsCertificate");
        });

        it("tlsCertificate: not a PEM certificate", () => {
            assertRejected("prod", { tlsCertificate: "MIIDdzCCAl+gAwIBAgIE" }, "tlsCertificate");
        });

        it("tlsPrivateKey: missing when tlsMode is provided", () => {
            assertRejected("prod", { tlsPrivateKey: undefined }, "tlsPrivateKey");
        });

        it("tlsPrivateKey: not a PEM private key (a certificate instead)", () => {
            assertRejected("prod", { tlsPrivateKey: pemBlock("CERTIFICATE") }, "tlsPrivateKey");
        });
    });
});
