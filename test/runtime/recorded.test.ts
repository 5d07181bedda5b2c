// The base the runtime harnesses build the images FROM is the one the program records (issue 13): the stack's
// configured baseImage when it has one, else the local debootstrap base, handed to the program by image ID.
// No engine needed; stack.test.ts checks the same on the session's real builds.
import * as assert from "node:assert/strict";
import { buildEnv } from "../../tools/runtime/images";
import { captureWithBase, recordedBaseImage } from "../../tools/runtime/recorded";

const CONFIGURED = "debian:bookworm-slim@sha256:" + "ab".repeat(32);
const LOCAL_ID = "sha256:" + "cd".repeat(32);

describe("runtime: the recorded base image", function () {
    this.timeout(60_000);

    it("keeps a baseImage the stack configures, records it for every image, and never builds the local base", async () => {
        const captured = await captureWithBase({
            configStack: "dev",
            stackName: "rtbase",
            overrides: { baseImage: CONFIGURED },
            localBase: () => Promise.reject(new Error("the local base must not be built when the stack configures one")),
        });
        assert.ok(captured.images.length >= 5, `only ${captured.images.length} images recorded`);
        for (const image of captured.images) assert.equal(image.buildArgs.BASE_IMAGE, CONFIGURED, `images/${image.name}`);
        assert.equal(recordedBaseImage(captured), CONFIGURED);
    });

    it("without a configured baseImage, gives the program the local base's image ID, so the record and the builds agree", async () => {
        const captured = await captureWithBase({ configStack: "dev", stackName: "rtbase", localBase: async () => LOCAL_ID });
        assert.equal(recordedBaseImage(captured), LOCAL_ID);
        for (const image of captured.images) assert.equal(image.buildArgs.BASE_IMAGE, LOCAL_ID, `images/${image.name}`);
    });

    it("builds FROM a local image ID with the classic builder, as the program does", () => {
        assert.equal(buildEnv(LOCAL_ID, {}).DOCKER_BUILDKIT, "0");
        assert.equal(buildEnv(CONFIGURED, {}).DOCKER_BUILDKIT, undefined);
    });
});
