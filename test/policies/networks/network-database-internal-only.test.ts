import * as assert from "node:assert/strict";
import { networkDatabaseInternalOnly as policy } from "../../../policies/networks/network-database-internal-only";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { container, devStack, find, prodStack, replace, withNetworks, withProps, withRole } from "../fixtures/stack";

const DB = "database-container";

describe("network-database-internal-only (NET-01, NET-02, DB-02)", () => {
    it("#1 compliant dev stack (database on the internal data network only) passes", async () => {
        assert.deepEqual((await runStackPolicy(policy, devStack())).violations, []);
    });

    it("#2 compliant prod stack passes", async () => {
        assert.deepEqual((await runStackPolicy(policy, prodStack())).violations, []);
    });

    it("#3 the database also on the edge network is rejected on its URN", async () => {
        const resources = replace(devStack(), DB, (r) => withNetworks(r, ["dev-data", "dev-edge"]));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, DB).urn);
        assert.match(violations[0].message, /\[NET-01, NET-02, DB-02\] Database container 'dev-database' is attached to network 'dev-edge', which is not internal/);
    });

    it("#4 the database publishing a port is rejected", async () => {
        const resources = replace(devStack(), DB, (r) => withProps(r, { ports: [{ internal: 5432, external: 15432 }] }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /publishes port\(s\) 15432->5432.*Remove `ports`/);
    });

    it("#5 the database in host network mode is rejected", async () => {
        const resources = replace(devStack(), DB, (r) => withProps(r, { networkMode: "host", networksAdvanced: [] }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /networkMode 'host'/);
    });

    it("#6 the database on the default bridge (no network declared) is rejected", async () => {
        const resources = replace(devStack(), DB, (r) => withProps(r, { networksAdvanced: [] }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /default bridge/);
    });

    it("#7 the database attached to a network the stack does not declare is rejected", async () => {
        const resources = replace(devStack(), DB, (r) => withNetworks(r, ["shared-postgres-net"]));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /'shared-postgres-net'.*attach it to a network this stack declares/i);
    });

    it("#8 a network referenced by id resolves like one referenced by name", async () => {
        const stack = devStack();
        const dataId = find(stack, "networks-data").outputs!.id as string;
        const resources = replace(stack, DB, (r) => withNetworks(r, [dataId]));
        assert.deepEqual((await runStackPolicy(policy, resources)).violations, []);
    });

    it("#9 an unlabelled container running a database image is judged as a database", async () => {
        const rogue = container("rogue-redis", { service: "cache", image: "redis:7.2", networks: ["dev-edge"] });
        const { violations } = await runStackPolicy(policy, [...devStack(), rogue]);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, rogue.urn);
    });

    it("#10 config databaseImagePatterns without redis no longer treats that container as a database", async () => {
        const rogue = container("rogue-redis", { service: "cache", image: "redis:7.2", networks: ["dev-edge"] });
        const { violations } = await runStackPolicy(policy, [...devStack(), rogue], {
            config: { "network-database-internal-only": { databaseImagePatterns: ["postgres"] } },
        });
        assert.deepEqual(violations, []);
    });

    it("#11 the backup job on a postgres image is not mistaken for a database", async () => {
        const resources = replace(devStack(), "backup-job", (r) => withProps(r, { image: "postgres:16-alpine" }));
        assert.deepEqual((await runStackPolicy(policy, resources)).violations, []);
    });

    it("#12 a container labelled 'database' on a non-database image is still judged", async () => {
        const resources = replace(devStack(), "app-frontend", (r) => withRole(r, "database"));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "app-frontend").urn);
    });
});
