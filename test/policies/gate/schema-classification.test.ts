// The gate's classification against the installed SDKs (issue 22 item 2): every input property that
// @pulumi/docker, @pulumi/random and @pulumi/aws declare for a classified type (nested `inputs.*` types too, where
// the classification goes into them) is classified, and the classification names no property the SDK does not
// declare (except the few the engine adds, marked engineAdded). A provider upgrade that adds a field fails here.
import * as assert from "node:assert/strict";
import { allPolicies } from "../../../policies/all";
import { CLASSIFICATION, Fields, referencedPolicies, Rule } from "../../../policies/gate/lib/classification";
import { preloadSdk, Shape, sdkInputs } from "./sdk-schema";

/** Differences between a classification and the SDK's shape, as "path: what". */
function compare(fields: Fields, shape: Extract<Shape, { kind: "object" }>, prefix: string, out: string[]): string[] {
    for (const name of Object.keys(shape.fields)) {
        if (!fields[name]) {
            out.push(`${prefix}${name}: declared by the SDK, not classified`);
        }
    }
    for (const [name, rule] of Object.entries(fields)) {
        const declared = shape.fields[name];
        if (!declared) {
            if (!(rule.kind === "safe" && rule.engineAdded)) {
                out.push(`${prefix}${name}: classified, not declared by the SDK`);
            }
            continue;
        }
        compareRule(rule, declared, `${prefix}${name}`, out);
    }
    return out;
}

function compareRule(rule: Rule, declared: Shape, path: string, out: string[]): void {
    const inner = declared.kind === "array" ? declared.element : declared;
    if (rule.kind === "object") {
        if (inner.kind !== "object") {
            out.push(`${path}: classified as an object, declared as ${inner.kind}`);
            return;
        }
        compare(rule.fields, inner, `${path}${declared.kind === "array" ? "[]" : ""}.`, out);
    } else if (rule.kind === "map" && inner.kind !== "map" && inner.kind !== "any") {
        out.push(`${path}: classified as a map, declared as ${inner.kind}`);
    }
}

describe("gate classification against the installed SDKs", () => {
    const typed = Object.entries(CLASSIFICATION).filter((e): e is [string, { fields: Fields }] => "fields" in e[1]);
    before(() => preloadSdk(typed.map(([token]) => token)));

    it("#1 classifies the container, network, volume and image, the random types, the providers and the program's AWS types", () => {
        assert.ok(typed.length >= 25, `only ${typed.length} types with fields`);
    });

    for (const [token, cls] of typed) {
        it(`#2 ${token}: every declared input is classified, and every classified one is declared`, () => {
            assert.deepEqual(compare(cls.fields, sdkInputs(token), "", []), []);
        });
    }

    it("#3 the container's nested inputs are classified field by field", () => {
        const container = CLASSIFICATION["docker:index/container:Container"];
        assert.ok("fields" in container);
        for (const nested of ["volumes", "mounts", "healthcheck", "capabilities", "ulimits", "ports", "networksAdvanced", "labels", "uploads"]) {
            assert.equal(container.fields[nested].kind, "object", nested);
        }
    });

    it("#4 every policy the classification names as checking a field is in the pack", () => {
        const names = new Set(allPolicies.map((p) => p.name));
        assert.deepEqual([...referencedPolicies()].filter((p) => !names.has(p)), []);
    });

    it("#5 the comparison fails for a field the SDK adds and for one it does not declare", () => {
        const shape = sdkInputs("docker:index/volume:Volume");
        const cls = CLASSIFICATION["docker:index/volume:Volume"];
        assert.ok("fields" in cls);
        const { name: _dropped, ...withoutName } = cls.fields;
        assert.deepEqual(compare(withoutName, shape, "", []), ["name: declared by the SDK, not classified"]);
        assert.deepEqual(compare({ ...cls.fields, mountpoint: { kind: "safe", why: "x" } }, shape, "", []), ["mountpoint: classified, not declared by the SDK"]);
    });
});
