// What the Dockerfiles promise, read statically so it holds without a Docker engine (the runtime suite builds
// and runs them): the pinned official base, a multi-stage build, the fixed non-root uid and the health probe.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { BUILT_IMAGES, IMAGE_USERS, IMAGES_DIR } from "../infra/components/images";
import { DEFAULT_BASE_IMAGE } from "../infra/config";

const dockerfile = (image: string) => fs.readFileSync(path.join(IMAGES_DIR, image, "Dockerfile"), "utf8");
const instructions = (text: string) =>
    text
        .replace(/\\\n/g, " ")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"));

describe("images/", () => {
    it("holds exactly the images the stack builds (plus base/ for registry-less hosts)", () => {
        const dirs = fs.readdirSync(IMAGES_DIR).filter((d) => fs.existsSync(path.join(IMAGES_DIR, d, "Dockerfile")));
        assert.deepEqual(dirs.sort(), [...BUILT_IMAGES].sort());
    });

    for (const image of BUILT_IMAGES) {
        describe(`images/${image}`, () => {
            const lines = instructions(dockerfile(image));
            const froms = lines.filter((l) => /^FROM\s/i.test(l));

            it("CON-01, CON-02: defaults BASE_IMAGE to the digest-pinned official base infra uses", () => {
                assert.ok(lines.includes(`ARG BASE_IMAGE=${DEFAULT_BASE_IMAGE}`), "ARG BASE_IMAGE default");
                assert.match(froms[0], /^FROM \$\{BASE_IMAGE\} AS \w+$/);
            });

            it("CON-04: is a multi-stage build whose final stage keeps only what a build stage produced", () => {
                assert.ok(froms.length >= 2, "one FROM only");
                const finalStage = lines.slice(lines.lastIndexOf(froms[froms.length - 1]));
                assert.equal(froms[froms.length - 1], "FROM scratch");
                assert.ok(finalStage.some((l) => /^COPY --from=\w+ /.test(l)), "the final stage copies from a build stage");
                assert.ok(!finalStage.some((l) => /^RUN\s/.test(l)), "no RUN in the final stage: nothing is installed there");
            });

            it("CON-05: runs as the fixed numeric non-root uid infra gives it", () => {
                const users = lines.filter((l) => /^USER\s/.test(l));
                assert.equal(users[users.length - 1], `USER ${IMAGE_USERS[image]}`);
            });

            it("LOG-05: ships the health probe infra runs (/usr/local/bin/healthcheck)", () => {
                assert.ok(fs.existsSync(path.join(IMAGES_DIR, image, "bin", "healthcheck")), "bin/healthcheck in the build context");
                assert.ok((fs.statSync(path.join(IMAGES_DIR, image, "bin", "healthcheck")).mode & 0o111) !== 0, "executable");
            });
        });
    }
});
