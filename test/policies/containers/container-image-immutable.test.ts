import * as assert from "node:assert/strict";
import {
    containerImageImmutable as policy,
    parseImageReference,
} from "../../../policies/containers/container-image-immutable";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { DIGEST, assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const TAGS_OK = { config: { "container-image-immutable": { requireDigest: false } } };

describe("container-image-immutable (LOG-07, CON-02)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    for (const image of ["postgres", "bulwark/backend", "localhost:5000/bulwark/backend"]) {
        it(`#2 untagged image "${image}" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ image }));
            assertViolations(outcome, 1, new RegExp(`"${image}" has no tag, so it means :latest.*"${image}@sha256:<digest>"`));
        });
    }

    for (const image of ["nginx:latest", "localhost:5000/app:latest", "ghcr.io/acme/api:latest"]) {
        it(`#3 "${image}" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ image }));
            assertViolations(outcome, 1, /uses the :latest tag/);
        });
    }

    it("#4 a version tag without digest is rejected while requireDigest is true (default)", async () => {
        const outcome = await runResourcePolicy(policy, container({ image: "postgres:16.4-bookworm" }));
        assertViolations(outcome, 1, /pinned by tag only.*"postgres:16.4-bookworm@sha256:<digest>"/);
    });

    it("#5 config requireDigest: false accepts a version tag", async () => {
        assertPasses(await runResourcePolicy(policy, container({ image: "postgres:16.4-bookworm" }), TAGS_OK));
    });

    it("#6 config requireDigest: false still rejects :latest and untagged", async () => {
        assertViolations(await runResourcePolicy(policy, container({ image: "postgres:latest" }), TAGS_OK), 1, /:latest/);
        assertViolations(await runResourcePolicy(policy, container({ image: "postgres" }), TAGS_OK), 1, /no tag/);
    });

    it("#7 a registry with a port and a tag plus digest passes", async () => {
        assertPasses(await runResourcePolicy(policy, container({ image: `localhost:5000/bulwark/proxy:1.2@${DIGEST}` })));
    });

    for (const digest of ["sha256:abc123", `sha256:${"A".repeat(64)}`, `sha512:${"a".repeat(128)}`]) {
        it(`#8 malformed or non-sha256 digest "${digest.slice(0, 16)}…" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ image: `postgres@${digest}` }));
            assertViolations(outcome, 1, /not "sha256:" followed by 64 lowercase hex characters/);
        });
    }

    it("#9 an invalid reference is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ image: "Bulwark Backend" }));
        assertViolations(outcome, 1, /not a valid image reference/);
    });

    it("#10 a local image ID is content-addressed and passes", async () => {
        assertPasses(await runResourcePolicy(policy, container({ image: DIGEST })));
    });

    it("#11 an image unknown during preview is not judged", async () => {
        assertPasses(await runResourcePolicy(policy, container({ image: UNKNOWN })));
    });

    it("#12 parseImageReference normalizes like Docker", () => {
        assert.deepEqual(parseImageReference("postgres@" + DIGEST), {
            name: "postgres",
            domain: "docker.io",
            path: "library/postgres",
            repository: "docker.io/library/postgres",
            tag: undefined,
            digest: DIGEST,
        });
        assert.equal(parseImageReference("user/repo:1.0")?.repository, "docker.io/user/repo");
        assert.equal(parseImageReference("index.docker.io/nginx")?.repository, "docker.io/library/nginx");
        const local = parseImageReference("localhost:5000/x");
        assert.equal(local?.repository, "localhost:5000/x");
        assert.equal(local?.tag, undefined);
        const ghcr = parseImageReference("ghcr.io/acme/api:v2@" + DIGEST);
        assert.equal(ghcr?.domain, "ghcr.io");
        assert.equal(ghcr?.tag, "v2");
        assert.equal(parseImageReference("registry.example.com:443/team/app:1")?.domain, "registry.example.com:443");
        assert.equal(parseImageReference(""), undefined);
        assert.equal(parseImageReference("bulwark/Backend"), undefined);
    });

    it("#13 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
