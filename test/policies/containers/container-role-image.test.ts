import * as assert from "node:assert/strict";
import { COMPONENT_TYPES } from "bulwark-vocabulary";
import { containerRoleImage as policy } from "../../../policies/containers/container-role-image";
import { Analyzer, runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { builtImage, container, devStack, DIGEST, find, imageUrn, prodStack, replace, structureOf, withProps } from "../fixtures/stack";

describe("container-role-image (NET-01, NET-03, DB-02, BAK-01, CON-01)", () => {
    it("#1 the compliant dev and prod stacks pass, in an update and in a preview", async () => {
        for (const stack of [devStack(), prodStack()]) {
            assert.deepEqual((await runStackPolicy(policy, stack)).violations, []);
            const preview = stack.map((r) => (r.type.endsWith("container:Container") ? withProps(r, { image: UNKNOWN }) : r));
            const outcome = await runStackPolicy(policy, preview, { preview: true });
            assert.deepEqual(outcome.violations, []);
            assert.deepEqual(outcome.inconclusive, []);
        }
    });

    it("#2 the proxy running an image not built from images/proxy is rejected", async () => {
        for (const patch of [{ image: `nginx@${DIGEST}`, dependsOn: undefined }, { image: `bulwark/backup@${DIGEST}`, dependsOn: imageUrn("backup") }]) {
            const resources = replace(devStack(), "proxy-container", (r) => ({
                ...withProps(r, { image: patch.image }),
                propertyDependencies: { image: patch.dependsOn ? [patch.dependsOn] : [] },
            }));
            const { violations } = await runStackPolicy(policy, [...resources, ...structureOf(resources)]);
            assert.ok(violations.length >= 1, patch.image);
            assert.ok(violations.every((v) => v.urn === find(resources, "proxy-container").urn));
            assert.match(violations[0].message, /placed as 'edge-proxy' by its structure and label, but runs/);
        }
    });

    it("#3 the database's image run outside the Database component is rejected", async () => {
        const stray = container("warehouse", { service: "warehouse", networks: ["dev-data"], imageFolder: "postgres" });
        const { violations } = await runStackPolicy(policy, [...devStack(), stray]);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, stray.urn);
        assert.match(violations[0].message, /runs the image built from images\/postgres, which only the 'database' container may run/);
    });

    it("#4 a database image outside the Database component is rejected, labelled or not", async () => {
        for (const role of [undefined, "database", "app"]) {
            const stray = container("warehouse", { role, service: "warehouse", image: `docker.io/bitnami/postgresql@${DIGEST}`, networks: ["dev-data"], component: null, imageFolder: null });
            const { violations } = await runStackPolicy(policy, [...devStack(), stray]);
            assert.equal(violations.length, 1, String(role));
        }
    });

    it("#5 an image whose Dockerfile is not images/<folder>/Dockerfile places nothing", async () => {
        const elsewhere = { ...builtImage("proxy"), outputs: undefined, inputs: { imageName: "bulwark/proxy:dev", build: { context: "/srv/evil", dockerfile: "/srv/evil/proxy/Dockerfile" } } };
        const resources = devStack().map((r) => (r.urn === elsewhere.urn ? elsewhere : r));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "proxy-container").urn);
    });

    it("#6 the app may run the image the stack config names", async () => {
        const configured = `ghcr.io/example/bulwark-backend@${DIGEST}`;
        const resources = replace(devStack(), "app-backend", (r) => ({ ...withProps(r, { image: configured }), propertyDependencies: {} }));
        assert.equal((await runStackPolicy(policy, resources)).violations.length, 1);
        const analyzer = await Analyzer.start({ stackConfig: { "bulwark:backendImage": configured } });
        try {
            const { violations } = await analyzer.evaluate(resources, {}, { resources: false });
            assert.deepEqual(violations.filter((v) => v.policy === policy.name), []);
        } finally {
            await analyzer.stop();
        }
    });

    it("#7 a container under an attacker's component with the Database type token publishing from another image is not the database", async () => {
        const shadow = container("shadow-db", { role: "database", service: "shadow", image: `docker.io/bitnami/postgresql@${DIGEST}`, networks: ["dev-data"], component: COMPONENT_TYPES.database, imageFolder: null });
        const { violations } = await runStackPolicy(policy, [...devStack(), shadow]);
        assert.ok(violations.some((v) => v.urn === shadow.urn && /placed as 'database' by its structure and label, but runs/.test(v.message)));
    });
});
