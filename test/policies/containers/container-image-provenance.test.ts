import { assertOnlyRefusals } from "../refusals";
import * as assert from "node:assert/strict";
import { IMAGE_TYPE } from "bulwark-vocabulary";
import { containerImageProvenance as policy } from "../../../policies/containers/container-image-provenance";
import { EngineResource, runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { DIGEST, assertPasses, assertViolations, container } from "./fixtures";

/** What the docker provider gives a skipPush build as repoDigest: the local image ID. */
const IMAGE_ID = "sha256:" + "9a8b7c6d5e4f3a2b".repeat(4);
const PINNED_BASE = `debian:bookworm-slim@${DIGEST}`;

function image(imageName = "bulwark/backend:dev", base: string = PINNED_BASE): EngineResource {
    const urn = `urn:pulumi:test::bulwark::${IMAGE_TYPE}::images-backend`;
    const inputs = { imageName, skipPush: true, build: { context: "images/backend", args: { BASE_IMAGE: base } } };
    return { type: IMAGE_TYPE, name: "images-backend", urn, inputs };
}

/** The container running `value`, its `image` built from `from` when given (the engine's property dependency). */
function running(value: string, from?: EngineResource): EngineResource {
    const c = container({ image: value });
    return from ? { ...c, propertyDependencies: { image: [from.urn] } } : c;
}

describe("container-image-provenance (CON-01, CON-02, LOG-07)", () => {
    it("#1 the local image ID of a docker.Image of the stack passes (what `pulumi up` gives)", async () => {
        const built = image();
        assertPasses(await runStackPolicy(policy, [built, running(IMAGE_ID, built)]));
    });

    it("#2 in a preview the built image is unknown; the dependency decides it, with nothing left open", async () => {
        const built = image();
        const outcome = await runStackPolicy(policy, [built, running(UNKNOWN, built)], { preview: true });
        assertPasses(outcome);
        assert.deepEqual(outcome.inconclusive, []);
    });

    it("#3 a bare image ID no docker.Image of the stack produced is rejected", async () => {
        assertViolations(await runStackPolicy(policy, [running(IMAGE_ID)]), 1, /bare image ID that no docker.Image of this stack produced/);
    });

    it("#4 an unknown image with no docker.Image behind it is refused, not passed", async () => {
        const outcome = await runStackPolicy(policy, [running(UNKNOWN)], { preview: true });
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["image"]);
    });

    it("#5 a build named outside the allowed registries is rejected, in a preview too", async () => {
        const built = image("someuser/backend:dev");
        for (const value of [IMAGE_ID, UNKNOWN]) {
            assertViolations(await runStackPolicy(policy, [built, running(value, built)]), 1, /built as "someuser\/backend:dev", which is not an allowed repository/);
        }
    });

    it("#6 build args are not this policy's: an unpinned or secret-bearing one is neither judged nor printed here", async () => {
        // Issue 22 item 9: the old /BASE|FROM/ match picked up DATABASE_PASSWORD and printed name=value; what a
        // build is FROM is now read from its Dockerfile by container-image-build-pinned.
        const secret = "Sx7" + "q".repeat(40);
        const built = image("bulwark/backend:dev", "debian:bookworm-slim");
        const withSecret = { ...built, inputs: { ...built.inputs, build: { ...built.inputs.build, args: { BASE_IMAGE: PINNED_BASE, DATABASE_PASSWORD: secret } } } };
        const outcome = await runStackPolicy(policy, [withSecret, running(IMAGE_ID, withSecret)]);
        assertPasses(outcome);
        assertPasses(await runStackPolicy(policy, [built, running(IMAGE_ID, built)]));
    });

    it("#7 a local image ID as base (build-base.sh --id) counts as pinned", async () => {
        const built = image("bulwark/backend:dev", IMAGE_ID);
        assertPasses(await runStackPolicy(policy, [built, running(IMAGE_ID, built)]));
    });

    it("#8 a repository reference is not this policy's concern", async () => {
        assertPasses(await runStackPolicy(policy, [running(`someuser/postgres@${DIGEST}`)]));
    });

    it("#9 config allowedRepositories decides which builds are trusted", async () => {
        const built = image("registry.example.com/team/backend:dev");
        const config = { config: { "container-image-provenance": { allowedRepositories: ["registry.example.com/team/backend"] } } };
        assertPasses(await runStackPolicy(policy, [built, running(IMAGE_ID, built)], config));
        assertViolations(await runStackPolicy(policy, [built, running(IMAGE_ID, built)]), 1, /not an allowed repository/);
    });
});
