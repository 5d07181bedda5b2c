// Static checks of images/: every image the program builds exists, takes BASE_IMAGE with the same
// digest-pinned default as infra (CON-01, CON-02), runs as the uid infra gives it (CON-05), has the health
// probe infra runs (LOG-05), and is multi-stage (CON-04). Also keeps verify's constants equal to infra's.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { BUILT_IMAGES, IMAGE_USERS } from "../../infra/components/images";
import { DEFAULT_BASE_IMAGE } from "../../infra/config";
import { IMAGES_DIR, imageNames } from "../../tools/runtime/images";

const dockerfile = (name: string) => fs.readFileSync(path.join(IMAGES_DIR, name, "Dockerfile"), "utf8");
/** Images this suite's owner maintains; images/backup is checked for the shared contract only. */
const OWN_IMAGES = ["postgres", "proxy", "demo-backend", "demo-frontend"] as const;

describe("runtime: images/", () => {
    it("has a Dockerfile for every image the program builds", () => {
        for (const name of BUILT_IMAGES) {
            assert.ok(imageNames().includes(name), `images/${name}/Dockerfile is missing; infra/components/images.ts builds it`);
        }
    });

    for (const name of BUILT_IMAGES) {
        describe(`images/${name}`, () => {
            const text = () => dockerfile(name);

            it("defaults BASE_IMAGE to infra's DEFAULT_BASE_IMAGE and builds FROM it", () => {
                const arg = /^ARG BASE_IMAGE=(\S+)$/m.exec(text())?.[1];
                assert.equal(arg, DEFAULT_BASE_IMAGE, `images/${name}/Dockerfile: ARG BASE_IMAGE default differs from infra/config/defaults.ts DEFAULT_BASE_IMAGE`);
                assert.match(text(), /^FROM \$\{BASE_IMAGE\}/m);
            });

            it(`runs as ${IMAGE_USERS[name]}, the uid infra gives it`, () => {
                const users = [...text().matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
                assert.deepEqual(users.slice(-1), [IMAGE_USERS[name]], `last USER in images/${name}/Dockerfile`);
                assert.match(text(), new RegExp(`--uid ${IMAGE_USERS[name].split(":")[0]}\\b`), "the user is created with the fixed uid");
            });

            it("ships the health probe infra runs", () => {
                const probe = path.join(IMAGES_DIR, name, "bin", "healthcheck");
                assert.ok(fs.existsSync(probe), `${probe} is missing`);
                assert.ok((fs.statSync(probe).mode & 0o111) !== 0, `${probe} is not executable (the legacy builder keeps context modes)`);
                assert.match(text(), new RegExp(`^COPY ${name}/bin/ /usr/local/bin/$`, "m"), "copied from images/<name>/bin (the context is images/)");
            });
        });
    }

    for (const name of OWN_IMAGES) {
        it(`images/${name} is multi-stage: built and stripped, then copied onto an empty image`, () => {
            const text = dockerfile(name);
            assert.match(text, /^FROM \$\{BASE_IMAGE\} AS build$/m);
            assert.match(text, /^FROM scratch$/m);
            assert.match(text, /^COPY --from=build \/ \/$/m);
            // The shared hardening step (images/shared/harden.sh) removes them; test/images.test.ts checks where it runs.
            assert.match(text, /^COPY shared\/harden\.sh \/tmp\/harden\.sh\nRUN sh \/tmp\/harden\.sh$/m, "ends its build stage with the shared hardening step");
            const shared = fs.readFileSync(path.join(IMAGES_DIR, "shared", "harden.sh"), "utf8");
            assert.match(shared, /chmod a-s/, "setuid/setgid bits are removed");
            assert.match(shared, /rm -rf \/var\/lib\/apt\/lists\/\*/, "apt lists are removed");
        });
    }

    it("build-base.sh is strict shell and enables updates and security", () => {
        const script = fs.readFileSync(path.join(IMAGES_DIR, "base", "build-base.sh"), "utf8");
        assert.match(script, /^set -euo pipefail$/m);
        assert.match(script, /--variant=minbase/);
        assert.match(script, /\$suite-updates main/);
        assert.match(script, /\$suite-security main/);
        assert.ok((fs.statSync(path.join(IMAGES_DIR, "base", "build-base.sh")).mode & 0o111) !== 0);
    });
});
