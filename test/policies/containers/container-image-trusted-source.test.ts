import * as assert from "node:assert/strict";
import {
    containerImageTrustedSource as policy,
    normalizeRegistryPrefix,
} from "../../../policies/containers/container-image-trusted-source";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { DIGEST, assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const registries = (...allowed: string[]) => ({
    config: { "container-image-trusted-source": { allowedRegistries: allowed } },
});

describe("container-image-trusted-source (CON-01)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    for (const image of [`postgres@${DIGEST}`, "nginx", `docker.io/library/nginx:1.27@${DIGEST}`, `ghcr.io/acme/api@${DIGEST}`, "index.docker.io/library/redis:7"]) {
        it(`#2 allowed by default: "${image}"`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ image })));
        });
    }

    it('#3 a Docker Hub user repository ("user/repo" = docker.io/user/repo) is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ image: `someuser/postgres@${DIGEST}` }));
        assertViolations(outcome, 1, /comes from docker.io\/someuser\/postgres, which is not under an allowed registry.*`allowedRegistries`.*CON-01/);
    });

    for (const image of [`quay.io/acme/app@${DIGEST}`, "localhost:5000/bulwark/backend:1", `ghcr.io.evil.example/acme/app@${DIGEST}`]) {
        it(`#4 another registry is rejected: "${image}"`, async () => {
            assertViolations(await runResourcePolicy(policy, container({ image })), 1, /not under an allowed registry/);
        });
    }

    it('#5 "bulwark/" does not match a look-alike namespace', async () => {
        const outcome = await runResourcePolicy(policy, container({ image: `bulwark-evil/backend@${DIGEST}` }));
        assertViolations(outcome, 1, /docker.io\/bulwark-evil\/backend/);
    });

    it("#6 config allowedRegistries accepts a private registry", async () => {
        const image = `registry.example.com:5000/team/app@${DIGEST}`;
        assertPasses(await runResourcePolicy(policy, container({ image }), registries("registry.example.com:5000/team/")));
    });

    it("#7 config allowedRegistries replaces the defaults", async () => {
        const outcome = await runResourcePolicy(policy, container({ image: `postgres@${DIGEST}` }), registries("bulwark/"));
        assertViolations(outcome, 1, /docker.io\/library\/postgres.*\[bulwark\/\]/);
    });

    it("#8 a bare image ID is left to container-image-provenance, which follows it to its docker.Image", async () => {
        assertPasses(await runResourcePolicy(policy, container({ image: DIGEST })));
    });

    it("#9 an invalid reference is rejected", async () => {
        assertViolations(await runResourcePolicy(policy, container({ image: "not a ref" })), 1, /not a valid image reference/);
    });

    it("#10 an image unknown during preview is not judged", async () => {
        assertPasses(await runResourcePolicy(policy, container({ image: UNKNOWN })));
    });

    it("#11 normalizeRegistryPrefix resolves prefixes like image names", () => {
        assert.equal(normalizeRegistryPrefix("bulwark/"), "docker.io/bulwark");
        assert.equal(normalizeRegistryPrefix("docker.io/library/"), "docker.io/library");
        assert.equal(normalizeRegistryPrefix("GHCR.io/"), "ghcr.io");
        assert.equal(normalizeRegistryPrefix("index.docker.io/library"), "docker.io/library");
        assert.equal(normalizeRegistryPrefix("localhost:5000/"), "localhost:5000");
    });

    it("#12 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
