import * as assert from "node:assert/strict";
import { REFUSED_SECURITY_OPTS } from "./spellings";
import { DEFAULT_APPARMOR_PROFILES, noNewPrivileges, parseSecurityOpt, securityOptProblem } from "../../../policies/lib/parse/security-opt";

const RULES = { allowedSeccompProfiles: [], allowedAppArmorProfiles: DEFAULT_APPARMOR_PROFILES };

describe("parse/security-opt: security options as the Docker daemon reads them, from an allow-list", () => {
    it("#1 splitting: '=' first, ':' when no '=', the bare forms", () => {
        assert.deepEqual(parseSecurityOpt("no-new-privileges"), { raw: "no-new-privileges", key: "no-new-privileges", value: undefined });
        assert.deepEqual(parseSecurityOpt("disable"), { raw: "disable", key: "label", value: "disable" });
        assert.deepEqual(parseSecurityOpt("label:type:spc_t"), { raw: "label:type:spc_t", key: "label", value: "type:spc_t" });
        assert.deepEqual(parseSecurityOpt('seccomp={"a":1}'), { raw: 'seccomp={"a":1}', key: "seccomp", value: '{"a":1}' });
        assert.equal(parseSecurityOpt("label:type=x").key, "label:type", "an '=' anywhere splits there, as the daemon does");
        assert.equal(parseSecurityOpt("nonsense").key, undefined);
    });

    it("#2 every weakening option is refused", () => {
        for (const raw of REFUSED_SECURITY_OPTS) {
            assert.ok(securityOptProblem(parseSecurityOpt(raw), RULES), raw);
        }
    });

    it("#3 the allow-list: no-new-privileges in Go's boolean spellings, Docker's default seccomp, docker-default AppArmor", () => {
        for (const raw of ["no-new-privileges", "no-new-privileges:true", "no-new-privileges=1", "no-new-privileges=T", "seccomp=builtin", "apparmor=docker-default", "apparmor:docker-default"]) {
            assert.equal(securityOptProblem(parseSecurityOpt(raw), RULES), undefined, raw);
        }
    });

    it("#4 a seccomp profile or AppArmor profile passes only when the config lists it exactly", () => {
        const profile = '{"defaultAction":"SCMP_ACT_ERRNO"}';
        const rules = { allowedSeccompProfiles: [profile], allowedAppArmorProfiles: ["bulwark-rails"] };
        assert.equal(securityOptProblem(parseSecurityOpt(`seccomp=${profile}`), rules), undefined);
        assert.ok(securityOptProblem(parseSecurityOpt(`seccomp=${profile} `), rules));
        assert.equal(securityOptProblem(parseSecurityOpt("apparmor=bulwark-rails"), rules), undefined);
        assert.ok(securityOptProblem(parseSecurityOpt("apparmor=docker-default"), rules), "the config replaces the default list");
    });

    it("#5 no-new-privileges: the last entry wins, a bad boolean is not true", () => {
        const nnp = (...raw: string[]) => noNewPrivileges(raw.map(parseSecurityOpt));
        assert.equal(nnp(), undefined);
        assert.equal(nnp("no-new-privileges"), true);
        assert.equal(nnp("no-new-privileges:true", "no-new-privileges=false"), false);
        assert.equal(nnp("no-new-privileges=false", "no-new-privileges"), true);
        for (const bad of ["no-new-privileges=yes", "no-new-privileges=tRuE", "no-new-privileges:", "no-new-privileges= true"]) {
            assert.equal(nnp(bad), false, bad);
            assert.ok(securityOptProblem(parseSecurityOpt(bad), RULES), bad);
        }
        assert.equal(nnp("No-New-Privileges:true"), undefined, "keys are case-sensitive");
    });
});
