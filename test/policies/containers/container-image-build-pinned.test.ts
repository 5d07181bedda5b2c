import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { IMAGE_TYPE } from "bulwark-vocabulary";
import { containerImageBuildPinned as policy } from "../../../policies/containers/container-image-build-pinned";
import { fromLines } from "../../../policies/lib/dockerfile";
import { EngineResource, runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { assertOnlyRefusals } from "../refusals";
import { DIGEST, assertPasses, assertViolations } from "./fixtures";

const PINNED = `debian:bookworm-slim@${DIGEST}`;
const IMAGES = path.resolve(__dirname, "../../../images");

function image(build: Record<string, unknown>): EngineResource {
    const urn = `urn:pulumi:test::bulwark::${IMAGE_TYPE}::images-app`;
    return { type: IMAGE_TYPE, name: "images-app", urn, inputs: { imageName: "bulwark/app:dev", skipPush: true, build } };
}

/** A build context in a temp folder holding `dockerfile`. */
function contextWith(dockerfile: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-build-"));
    fs.writeFileSync(path.join(dir, "Dockerfile"), dockerfile);
    return dir;
}

describe("container-image-build-pinned (CON-01, CON-02)", () => {
    it("#1 every image the program builds passes (images/<name>/Dockerfile with the pinned base)", async () => {
        for (const name of ["postgres", "proxy", "backup", "demo-backend", "demo-frontend"]) {
            const build = { context: IMAGES, dockerfile: path.join(IMAGES, name, "Dockerfile"), args: { BASE_IMAGE: PINNED } };
            assertPasses(await runResourcePolicy(policy, image(build)));
        }
    });

    it("#2 an unpinned FROM in any form is rejected, naming the line", async () => {
        const bad = [
            "FROM debian:bookworm-slim\n",
            "FROM --platform=linux/amd64 debian:bookworm\n",
            `FROM ${PINNED} AS build\nRUN true\nFROM alpine:3.20\nCOPY --from=build / /\n`,
            "ARG BASE=debian:bookworm\nFROM ${BASE}\n",
            "ARG BASE\nFROM $BASE\n",
            `FROM ghcr.io/attacker/debian@${DIGEST}\n`,
            "# comment\nFROM \\\n  debian:latest\n",
        ];
        for (const text of bad) {
            const outcome = await runResourcePolicy(policy, image({ context: contextWith(text) }));
            assertViolations(outcome, 1, /FROM on line \d+ of its Dockerfile/);
        }
    });

    it("#3 stages, scratch and a build arg overriding an unpinned default are resolved", async () => {
        const text = `ARG BASE_IMAGE=debian:bookworm\nFROM \${BASE_IMAGE} AS tools\nFROM tools AS build\nFROM scratch\n`;
        assertPasses(await runResourcePolicy(policy, image({ context: contextWith(text), args: { BASE_IMAGE: PINNED } })));
        assertViolations(await runResourcePolicy(policy, image({ context: contextWith(text) })), 1, /through build arg BASE_IMAGE.*not an allowed base pinned by digest/);
    });

    it("#4 a Dockerfile that cannot be read, or a build unknown at preview, is refused", async () => {
        assertViolations(await runResourcePolicy(policy, image({ context: "/nonexistent/bulwark" })), 1, /cannot be read/);
        for (const [build, field] of [[{ context: UNKNOWN }, "build.context"], [{ context: IMAGES, dockerfile: UNKNOWN }, "build.dockerfile"]] as const) {
            const outcome = await runResourcePolicy(policy, image(build));
            assertOnlyRefusals(outcome);
            assert.deepEqual(outcome.inconclusive.map((i) => i.field), [field]);
        }
        const whole = await runResourcePolicy(policy, { ...image({}), inputs: { imageName: "bulwark/app:dev", build: UNKNOWN } });
        assertOnlyRefusals(whole);
        assert.deepEqual(whole.inconclusive.map((i) => i.field), ["build"]);
    });

    it("#4b a base read from a build arg unknown at preview is refused, naming the arg", async () => {
        const text = "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n";
        const outcome = await runResourcePolicy(policy, image({ context: contextWith(text), args: { BASE_IMAGE: UNKNOWN } }));
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["build.args.BASE_IMAGE"]);
    });

    it("#5 a base read from a build arg is never described (its value may be a secret)", async () => {
        const secret = "S3" + "k".repeat(40);
        const text = "ARG DB_PASSWORD\nFROM ${DB_PASSWORD}\n";
        const outcome = await runResourcePolicy(policy, image({ context: contextWith(text), args: { DB_PASSWORD: secret } }));
        assertViolations(outcome, 1, /not an allowed base pinned by digest/);
        assert.ok(!outcome.violations[0].message.includes(secret));
    });

    it("#6 parsing: ARG defaults, ${X:-d}, --platform, AS", () => {
        const froms = fromLines("ARG A=x@sha256:1\nARG B\nFROM --platform=$P ${B:-y} AS one\nFROM one\n", {});
        assert.deepEqual(froms.map((f) => [f.image, f.internal]), [["y", false], ["one", true]]);
    });
});
