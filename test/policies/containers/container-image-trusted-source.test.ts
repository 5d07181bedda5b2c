import * as assert from "node:assert/strict";
import {
    allowedRepositories,
    containerImageTrustedSource as policy,
    normalizeRegistryPrefix,
} from "../../../policies/containers/container-image-trusted-source";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { DIGEST, assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const repositories = (...allowed: string[]) => ({
    config: { "container-image-trusted-source": { allowedRepositories: allowed } },
});

describe("container-image-trusted-source (CON-01)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    for (const image of [`bulwark/postgres@${DIGEST}`, `docker.io/bulwark/proxy@${DIGEST}`, `debian:bookworm-slim@${DIGEST}`, `index.docker.io/library/debian@${DIGEST}`]) {
        it(`#2 allowed by default (the program's own repositories): "${image}"`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ image })));
        });
    }

    it('#3 a Docker Hub user repository ("user/repo" = docker.io/user/repo) is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ image: `someuser/postgres@${DIGEST}` }));
        assertViolations(outcome, 1, /comes from docker.io\/someuser\/postgres, which is not an allowed repository.*`allowedRepositories`.*CON-01/);
    });

    // Stricter since issue 22: registries and namespaces are no longer trusted as a whole.
    for (const image of [`quay.io/acme/app@${DIGEST}`, "localhost:5000/bulwark/backend:1", `ghcr.io.evil.example/acme/app@${DIGEST}`, `ghcr.io/acme/api@${DIGEST}`, `postgres@${DIGEST}`, "nginx", `bulwark/evil@${DIGEST}`]) {
        it(`#4 a repository not on the list is rejected, under a trusted registry too: "${image}"`, async () => {
            assertViolations(await runResourcePolicy(policy, container({ image })), 1, /not an allowed repository/);
        });
    }

    it('#5 "bulwark/backend" does not match a look-alike namespace', async () => {
        const outcome = await runResourcePolicy(policy, container({ image: `bulwark-evil/backend@${DIGEST}` }));
        assertViolations(outcome, 1, /docker.io\/bulwark-evil\/backend/);
    });

    it("#6 config allowedRepositories accepts a private repository, by its exact name", async () => {
        const image = `registry.example.com:5000/team/app@${DIGEST}`;
        assertPasses(await runResourcePolicy(policy, container({ image }), repositories("registry.example.com:5000/team/app")));
        assertViolations(await runResourcePolicy(policy, container({ image: `registry.example.com:5000/team/other@${DIGEST}` }), repositories("registry.example.com:5000/team/app")), 1, /not an allowed repository/);
    });

    it("#7 config allowedRepositories replaces the defaults", async () => {
        const outcome = await runResourcePolicy(policy, container({ image: `bulwark/postgres@${DIGEST}` }), repositories("bulwark/backend"));
        assertViolations(outcome, 1, /docker.io\/bulwark\/postgres, which is not an allowed repository/);
    });

    it("#13 the stack config's app images are trusted by repository, not by registry", () => {
        const config = { "bulwark:backendImage": `ghcr.io/example/bulwark-backend@${DIGEST}` };
        const allowed = allowedRepositories([], config);
        assert.ok(allowed.has("ghcr.io/example/bulwark-backend"));
        assert.ok(!allowed.has("ghcr.io/attacker/bulwark-backend"));
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
