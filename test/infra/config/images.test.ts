// Images: the digest-pinned base image and the application images.
import * as assert from "node:assert/strict";
import { assertRejected, load } from "./helpers";

describe("infra config validation (loadConfig): images", () => {
    describe("valid configurations", () => {
        it("accepts a version-tagged application image in dev", () => {
            assert.equal(load("dev", { backendImage: "ghcr.io/example/app:1.2.3" }).backendImage, "ghcr.io/example/app:1.2.3");
        });
    });

    describe("rejected values", () => {
        it("baseImage: a tag instead of a digest", () => {
            assertRejected("dev", { baseImage: "debian:bookworm-slim" }, "baseImage", { message: /CON-02/ });
        });

        it("baseImage: a truncated digest", () => {
            assertRejected("dev", { baseImage: "debian:bookworm-slim@sha256:3783cc01769c" }, "baseImage");
        });

        it("backendImage: missing in prod", () => {
            assertRejected("prod", { backendImage: undefined }, "backendImage", { message: /required in prod/ });
        });

        it("frontendImage: missing in prod", () => {
            assertRejected("prod", { frontendImage: undefined }, "frontendImage", { message: /required in prod/ });
        });

        it("backendImage: a version tag in prod (not pinned by digest)", () => {
            assertRejected("prod", { backendImage: "ghcr.io/example/bulwark-backend:1.2.3" }, "backendImage", { message: /LOG-07/ });
        });

        it("backendImage: :latest in dev", () => {
            assertRejected("dev", { backendImage: "ghcr.io/example/app:latest" }, "backendImage", { message: /mutable tag/ });
        });

        it("backendImage: no tag at all in dev", () => {
            assertRejected("dev", { backendImage: "ghcr.io/example/app" }, "backendImage", { message: /mutable tag/ });
        });

        it("backendImage: not an image reference", () => {
            assertRejected("dev", { backendImage: "my app:1.0" }, "backendImage");
        });
    });
});
