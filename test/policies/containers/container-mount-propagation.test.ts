import * as assert from "node:assert/strict";
import { containerMountPropagation as policy } from "../../../policies/containers/container-mount-propagation";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { devStack, prodStack, resourceViolations } from "../fixtures/stack";
import { assertNotApplicable, assertPasses, assertProgramContainersPass, assertViolations, container, network } from "./fixtures";
import { assertOnlyRefusals } from "../refusals";

const bind = (propagation?: string, source = "/srv/bulwark/backups", target = "/backups") => ({
    type: "bind",
    source,
    target,
    ...(propagation === undefined ? {} : { bindOptions: { propagation } }),
});

describe("container-mount-propagation (CON-09)", () => {
    it("#1 compliant container passes, and so do the program-shaped dev and prod stacks", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 the program's own dev and prod containers pass", async function () {
        this.timeout(300_000);
        await assertProgramContainersPass((containers) => resourceViolations(policy, containers), 3);
    });

    it('#3 a bind mount with propagation "rshared" is rejected, naming the container, the field, the value and the fix', async () => {
        const outcome = await runResourcePolicy(policy, container({ name: "dev-backup", mounts: [bind("rshared")] }));
        assertViolations(
            outcome,
            1,
            /^container 'dev-backup' mounts "\/srv\/bulwark\/backups" at "\/backups" with shared propagation \(`mounts\[0\]\.bindOptions\.propagation: "rshared"`\): mounts the host makes .* appear in the container, and mounts the container makes there propagate onto the host; remove `propagation` .*\(CON-09\)$/,
        );
    });

    it('#4 propagation "shared" is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ mounts: [bind("shared")] }));
        assertViolations(outcome, 1, /container 'backend' .*`mounts\[0\]\.bindOptions\.propagation: "shared"`/);
    });

    it('#5 propagation " RShared " is rejected: case and spaces do not hide it', async () => {
        assertViolations(await runResourcePolicy(policy, container({ mounts: [bind(" RShared ")] })), 1, /" RShared "/);
    });

    for (const mode of ["private", "rprivate", "slave", "rslave", undefined]) {
        it(`#6 propagation ${mode === undefined ? "unset (default rprivate)" : `"${mode}"`} passes`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ mounts: [bind(mode)] })));
        });
    }

    it("#7 each shared mount is reported with its own index", async () => {
        const mounts = [
            bind("rshared", "/srv/a", "/a"),
            { type: "volume", source: "bulwark-pgdata", target: "/var/lib/postgresql/data" },
            bind("rslave", "/srv/b", "/b"),
            bind("shared", "/srv/c", "/c"),
        ];
        const outcome = await runResourcePolicy(policy, container({ mounts }));
        assertViolations(outcome, 2, /"\/srv\/a" at "\/a".*`mounts\[0\]/, /"\/srv\/c" at "\/c".*`mounts\[3\]/);
    });

    it("#8 a propagation unknown at preview is refused; the other mounts are still judged", async () => {
        const mounts = [bind("rshared"), { ...bind(), bindOptions: { propagation: UNKNOWN } }, { ...bind("rprivate"), source: UNKNOWN }];
        const outcome = await runResourcePolicy(policy, container({ mounts }), { preview: true });
        const decided = outcome.violations.filter((v) => !v.message.startsWith("unknown in preview: "));
        assert.deepEqual(decided.map((v) => v.message.match(/`mounts\[\d\]/)?.[0]), ["`mounts[0]"]);
        assert.equal(outcome.violations.length, 2);
        assert.deepEqual(outcome.inconclusive.map((i) => [i.field, i.kind]), [["mounts[1].bindOptions.propagation", "refused"]]);
    });

    it("#9 mounts unknown as a whole at preview are inconclusive, not passed", async () => {
        const outcome = await runResourcePolicy(policy, container({ mounts: UNKNOWN as never }), { preview: true });
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => [i.field, i.kind]), [["mounts", "refused"]]);
    });

    it("#10 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
