// What the Dockerfiles promise, read statically so it holds without a Docker engine (the runtime suite builds
// and runs them): the pinned official base, a multi-stage build, the fixed non-root uid and the health probe.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BACKUP_USERS, BUILT_IMAGES, IMAGE_USERS, IMAGES_DIR } from "../infra/components/images";
import { DEFAULT_BASE_IMAGE } from "../infra/config";
import { ensureBaseImage } from "../tools/runtime/images";

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

            if (image === "backup") {
                it("CON-05, CON-08: creates the user of each backup container (job, drill, uploader) with its uid and group", () => {
                    for (const [container, user] of Object.entries(BACKUP_USERS)) {
                        const [uid, gid] = user.split(":");
                        assert.ok(
                            lines.some((l) => new RegExp(`\\buseradd --uid ${uid} --gid ${gid}\\b`).test(l)),
                            `images/backup/Dockerfile creates no user ${uid} in group ${gid} for the ${container}`,
                        );
                    }
                });
            }

            it("LOG-05: ships the health probe infra runs (/usr/local/bin/healthcheck)", () => {
                assert.ok(fs.existsSync(path.join(IMAGES_DIR, image, "bin", "healthcheck")), "bin/healthcheck in the build context");
                assert.ok((fs.statSync(path.join(IMAGES_DIR, image, "bin", "healthcheck")).mode & 0o111) !== 0, "executable");
            });
        });
    }
});

// images/base/build-base.sh up to the point where debootstrap runs, against stand-ins for docker, id, gpgv and
// debootstrap (no root, engine or network): what it hands debootstrap, and that it stops without a keyring.
describe("images/base/build-base.sh: the Debian archive signature is always verified", () => {
    const script = path.join(IMAGES_DIR, "base", "build-base.sh");
    let bin: string;
    let argsFile: string;
    before(() => {
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-base-stubs-"));
        argsFile = path.join(bin, "debootstrap.args");
        const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        // An engine that answers and holds no base image yet; root; gpgv present.
        stub("docker", 'case "$1" in info) exit 0 ;; *) exit 1 ;; esac');
        stub("id", "echo 0");
        stub("gpgv", "exit 0");
        // Records its arguments and stops the build there.
        stub("debootstrap", `printf '%s\\n' "$@" > ${JSON.stringify(argsFile)}; exit 3`);
    });
    after(() => fs.rmSync(bin, { recursive: true, force: true }));

    const run = (env: Record<string, string>) => {
        fs.rmSync(argsFile, { force: true });
        const r = spawnSync("bash", [script], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, BULWARK_BASE_IMAGE: "bulwark/debian-base:stub-test", ...env },
        });
        return { ...r, debootstrapArgs: fs.existsSync(argsFile) ? fs.readFileSync(argsFile, "utf8").trim().split("\n") : undefined };
    };

    it("runs debootstrap with the archive keyring and --force-check-gpg, over the default http mirror too", () => {
        const keyring = path.join(bin, "archive-keyring.gpg");
        fs.writeFileSync(keyring, "stand-in keyring");
        const r = run({ DEBIAN_KEYRING: keyring });
        assert.ok(r.debootstrapArgs, `debootstrap was not reached: ${r.stderr}`);
        assert.ok(r.debootstrapArgs.includes(`--keyring=${keyring}`), r.debootstrapArgs.join(" "));
        assert.ok(r.debootstrapArgs.includes("--force-check-gpg"), r.debootstrapArgs.join(" "));
        assert.ok(!r.debootstrapArgs.includes("--no-check-gpg"));
        assert.equal(r.debootstrapArgs.at(-1), "http://deb.debian.org/debian");
        assert.notEqual(r.status, 0, "a failed debootstrap fails the script");
    });

    it("defaults to the keyring debian-archive-keyring installs", () => {
        const r = run({ DEBIAN_KEYRING: "" });
        // The stubbed debootstrap is reached only where that keyring exists; either way it is the one named.
        const named = r.debootstrapArgs?.find((a) => a.startsWith("--keyring=")) ?? r.stderr;
        assert.match(named, /\/usr\/share\/keyrings\/debian-archive-keyring\.gpg/);
    });

    it("refuses to build without the keyring, naming the package to install, before debootstrap runs", () => {
        const r = run({ DEBIAN_KEYRING: path.join(bin, "no-such-keyring.gpg") });
        assert.equal(r.status, 1);
        assert.equal(r.debootstrapArgs, undefined, "debootstrap ran without a keyring");
        assert.match(r.stderr, /no-such-keyring\.gpg is missing, so the archive's signature cannot be verified; install debian-archive-keyring \(scripts\/setup-host\.sh\)/);
    });

    it("setup-host.sh installs the keyring and gpgv", () => {
        const setup = fs.readFileSync(path.join(IMAGES_DIR, "..", "scripts", "setup-host.sh"), "utf8");
        assert.match(setup, /^\s+debian-archive-keyring\b/m);
        assert.match(setup, /^\s+gpgv\b/m);
    });
});

// An existing base is reused only if its label says build-base.sh built it with the signature verified; the whole
// script runs against stand-ins (docker keeps its one image's label in a file, debootstrap makes an empty rootfs).
describe("images/base/build-base.sh: only a signature-verified base is reused", () => {
    const script = path.join(IMAGES_DIR, "base", "build-base.sh");
    let bin: string;
    let keyring: string;
    const state = (name: string) => path.join(bin, name);
    before(() => {
        bin = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-base-label-"));
        keyring = state("archive-keyring.gpg");
        fs.writeFileSync(keyring, "stand-in keyring");
        const stub = (name: string, body: string) => fs.writeFileSync(state(name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        const dir = JSON.stringify(bin);
        // `image inspect` fails until the image exists; its verified label is the file "verified" (absent: none).
        // `import` records its arguments, creates the image and keeps the verified label it was given.
        stub(
            "docker",
            `d=${dir}
case "$1" in
info) exit 0 ;;
image)
    [ -f "$d/exists" ] || exit 1
    case "$4" in
    *bulwark.base.verified*) cat "$d/verified" 2>/dev/null; echo ;;
    *.Id*) echo sha256:stub-base-id ;;
    esac
    exit 0 ;;
import)
    cat >/dev/null
    printf '%s\\n' "$@" >"$d/import.args"
    touch "$d/exists"
    rm -f "$d/verified"
    for a in "$@"; do case "$a" in "LABEL bulwark.base.verified="*) printf '%s' "\${a#*=}" >"$d/verified" ;; esac; done
    exit 0 ;;
esac
exit 1`,
        );
        stub("id", "echo 0");
        stub("gpgv", "exit 0");
        // Records that it ran and makes the rootfs (its second-to-last argument) the script then edits.
        stub("debootstrap", `touch ${dir}/debootstrap.ran; prev=; for a in "$@"; do rootfs=$prev; prev=$a; done; mkdir -p "$rootfs/etc/apt"`);
    });
    after(() => fs.rmSync(bin, { recursive: true, force: true }));

    const env = () => ({ PATH: `${bin}:${process.env.PATH}`, BULWARK_BASE_IMAGE: "bulwark/debian-base:stub-test", DEBIAN_KEYRING: keyring });
    /** Resets the stand-in engine: no image, or one whose verified label is `verified` ("" for an unlabelled image). */
    const engineWith = (verified: string | undefined) => {
        for (const f of ["exists", "verified", "import.args", "debootstrap.ran"]) fs.rmSync(state(f), { force: true });
        if (verified !== undefined) {
            fs.writeFileSync(state("exists"), "");
            if (verified) fs.writeFileSync(state("verified"), verified);
        }
    };
    const run = (...args: string[]) => spawnSync("bash", [script, ...args], { encoding: "utf8", env: { ...process.env, ...env() } });
    const importArgs = () => (fs.existsSync(state("import.args")) ? fs.readFileSync(state("import.args"), "utf8").split("\n") : undefined);

    it("labels what it builds as verified, with the keyring's sha256", () => {
        engineWith(undefined);
        const r = run("--id");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "sha256:stub-base-id");
        const sha = createHash("sha256").update(fs.readFileSync(keyring)).digest("hex");
        assert.ok(importArgs()?.includes("LABEL bulwark.base.verified=debootstrap-gpg"), importArgs()?.join(" "));
        assert.ok(importArgs()?.includes(`LABEL bulwark.base.keyring-sha256=${sha}`), importArgs()?.join(" "));
    });

    it("reuses an existing base labelled verified without building", () => {
        engineWith("debootstrap-gpg");
        const r = run();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), "bulwark/debian-base:stub-test");
        assert.match(r.stderr, /reusing existing/);
        assert.ok(!fs.existsSync(state("debootstrap.ran")));
    });

    for (const [what, label] of [["an unlabelled base (an older, unverified build)", ""], ["a base labelled otherwise", "none"]]) {
        it(`refuses ${what}, naming --rebuild, and builds nothing`, () => {
            engineWith(label);
            const r = run("--id");
            assert.equal(r.status, 2);
            assert.equal(r.stdout, "", "no image handed on");
            assert.match(r.stderr, /has no bulwark\.base\.verified=debootstrap-gpg label: it was not built with the archive's signature verified.*run \S*build-base\.sh --rebuild/);
            assert.ok(!fs.existsSync(state("debootstrap.ran")));
            assert.equal(importArgs(), undefined);
        });
    }

    it("--rebuild replaces an unlabelled base with a labelled one", () => {
        engineWith("");
        assert.equal(run("--rebuild").status, 0);
        assert.equal(fs.readFileSync(state("verified"), "utf8"), "debootstrap-gpg");
    });

    it("the runtime harness rebuilds an unlabelled base rather than failing (tools/runtime/images.ts)", async () => {
        engineWith("");
        const saved = { ...process.env };
        Object.assign(process.env, env());
        const lines: string[] = [];
        try {
            assert.equal(await ensureBaseImage((l) => lines.push(l), false, true), "sha256:stub-base-id");
        } finally {
            for (const k of Object.keys(env())) {
                if (saved[k] === undefined) delete process.env[k];
                else process.env[k] = saved[k];
            }
        }
        assert.ok(fs.existsSync(state("debootstrap.ran")), lines.join("\n"));
        assert.equal(fs.readFileSync(state("verified"), "utf8"), "debootstrap-gpg");
        assert.ok(lines.some((l) => /rebuilding the unverified base/.test(l)), lines.join("\n"));
    });
});
