// Generates schemas.json (beside this file): for every provider resource type the project registers, each attribute of the
// Terraform resource the bridged provider wraps (nested blocks included) with its Pulumi name, its kind (set, list,
// map, object, scalar), whether it is Optional, Required, Computed or Sensitive, and its schema default. The mocks
// read it to send what the engine sends (provider-model.ts): Check's defaults and nested `__defaults`, sets holding an
// unknown collapsed to one unknown and computed attributes unknown in a preview's planned state, ids.
//
// Nothing fetched is kept in the repository; the inputs are read from outside it when the file is regenerated:
//   --docker <json>   the SDKv2 schema of kreuzwerker/terraform-provider-docker v4.5.0 (5074970c, the `upstream` of
//                     pulumi/pulumi-docker 237b7899, i.e. @pulumi/docker 5.2.0), dumped by dump-sdkv2-schema.go.txt
//                     (copy it to cmd/dumpschema/main.go in a checkout of that commit; `go run ./cmd/dumpschema`)
//   --aws <json>      `terraform providers schema -json` of hashicorp/aws 5.100.0 (the binary under /opt/tf-plugins,
//                     installed from a filesystem_mirror in a scratch directory)
//   --random <dir>    a checkout of hashicorp/terraform-provider-random at f8d869dc (v3.9.0, the `upstream` of
//                     pulumi/pulumi-random at the 4.21.x bridge upgrade): internal/provider/resource_*.go (Plugin
//                     Framework schemas, read from the Go source)
// Pulumi names follow the bridge's rule (snake_case to camelCase; a list or set that is not MaxItemsOne is
// pluralized) and are checked against the installed SDKs' declarations (node_modules/@pulumi/<pkg>/**.d.ts): a
// top-level name the SDK does not declare stops the generator.
//
// Run: npx ts-node --transpile-only tools/mocks/provider-schema/generate.ts --docker d.json --aws a.json --random dir
import * as fs from "node:fs";
import * as path from "node:path";

export type Kind = "string" | "bool" | "int" | "float" | "number" | "list" | "set" | "map" | "object" | "dynamic";

export interface SchemaAttribute {
    /** The Terraform attribute name. */
    readonly tf: string;
    readonly kind: Kind;
    readonly optional?: boolean;
    readonly required?: boolean;
    readonly computed?: boolean;
    readonly sensitive?: boolean;
    readonly deprecated?: boolean;
    /** The schema default (SDKv2 Default, Plugin Framework static Default). */
    readonly default?: unknown;
    /** Terraform names of attributes at the same level this one conflicts with (SDKv2 ConflictsWith). */
    readonly conflictsWith?: string[];
    /** A list/set/map of scalars: the element kind. */
    readonly elem?: Kind;
    /** A nested block (list/set of objects, or a MaxItemsOne block projected to one object). */
    readonly block?: Record<string, SchemaAttribute>;
}

export interface SchemaResource {
    readonly tf: string;
    /** Where the attributes are read from. */
    readonly source: string;
    /** The SDK style the bridge wraps: SDKv2 Check applies schema defaults and records `__defaults`; PF does not. */
    readonly framework: "sdkv2" | "plugin-framework";
    /** Whether the Terraform schema has an `id` attribute (the engine sends an id in a preview only then). */
    readonly hasId: boolean;
    readonly attributes: Record<string, SchemaAttribute>;
    /** Attributes of the Pulumi SDK that the Terraform schema read here lacks (a newer upstream), as declared there. */
    readonly notes?: string[];
}

const DOCKER_SOURCE =
    "kreuzwerker/terraform-provider-docker v4.5.0 (5074970c, upstream of pulumi/pulumi-docker 237b7899 = @pulumi/docker 5.2.0) " +
    "internal/provider/resource_docker_*.go, SDKv2 schema as provider.New(\"4.5.0\")() builds it";
const AWS_SOURCE =
    "hashicorp/terraform-provider-aws 5.100.0 (`terraform providers schema -json` of the released binary); @pulumi/aws 7.48.0 " +
    "wraps terraform-provider-aws v6, whose differences for these types are taken from the SDK's declarations (notes)";
const RANDOM_SOURCE = "hashicorp/terraform-provider-random v3.9.0 (f8d869dc, upstream of pulumi/pulumi-random 4.21.x) internal/provider/";

/** Pulumi type token -> Terraform type, per provider. */
const DOCKER_TYPES: Record<string, string> = {
    "docker:index/container:Container": "docker_container",
    "docker:index/network:Network": "docker_network",
    "docker:index/volume:Volume": "docker_volume",
};
const AWS_TYPES: Record<string, string> = {
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketAcl:BucketAcl": "aws_s3_bucket_acl",
    "aws:s3/bucketAclV2:BucketAclV2": "aws_s3_bucket_acl",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws_s3_bucket_versioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "aws_s3_bucket_logging",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:iam/user:User": "aws_iam_user",
    "aws:iam/accessKey:AccessKey": "aws_iam_access_key",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/userPolicy:UserPolicy": "aws_iam_user_policy",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/policy:Policy": "aws_iam_policy",
};
const RANDOM_TYPES: Record<string, string> = {
    "random:index/randomPassword:RandomPassword": "password",
    "random:index/randomBytes:RandomBytes": "bytes",
    "random:index/randomString:RandomString": "string",
    "random:index/randomId:RandomId": "id",
};

// ---- names -----------------------------------------------------------------------------------------------

function camel(tf: string): string {
    return tf.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The bridge's pluralization of a list or set name (enough for these schemas; checked against the SDK). */
function plural(name: string): string {
    if (/s$/.test(name)) {
        return name;
    }
    if (/[^aeiou]y$/.test(name)) {
        return name.slice(0, -1) + "ies";
    }
    if (/(x|ch|sh)$/.test(name)) {
        return name + "es";
    }
    return name + "s";
}

function pulumiName(tf: string, attr: { kind: Kind }, declared?: ReadonlySet<string>): string {
    const singular = camel(tf);
    const candidates = attr.kind === "list" || attr.kind === "set" ? [plural(singular), singular] : [singular];
    if (declared) {
        const found = candidates.find((c) => declared.has(c));
        if (found) {
            return found;
        }
    }
    return candidates[0];
}

// ---- the installed SDKs' declarations --------------------------------------------------------------------

const NODE_MODULES = path.resolve(__dirname, "..", "..", "..", "node_modules");

/** Top-level property names of a resource's `<Name>State` interface, and whether each is declared as an array. */
function sdkState(token: string): Map<string, { array: boolean; computed: boolean }> | undefined {
    const [pkg, modPath, name] = token.split(":");
    const [mod, file] = modPath.split("/");
    const dts = path.join(NODE_MODULES, "@pulumi", pkg, mod === "index" ? "" : mod, `${file}.d.ts`);
    if (!fs.existsSync(dts)) {
        return undefined;
    }
    const text = fs.readFileSync(dts, "utf8");
    const result = new Map<string, { array: boolean; computed: boolean }>();
    const state = new RegExp(`export interface ${name}State \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
    const klass = new RegExp(`export declare class ${name} extends[\\s\\S]*?\\n\\}`).exec(text)?.[0] ?? "";
    for (const m of state.matchAll(/^ {4}([a-zA-Z0-9]+)\?: pulumi\.Input<(.*)$/gm)) {
        const outputLine = new RegExp(`readonly ${m[1]}: pulumi\\.Output<(.*)>;`).exec(klass)?.[1] ?? "";
        result.set(m[1], { array: /\[\]/.test(m[2]), computed: outputLine !== "" && !/\| undefined$/.test(outputLine) });
    }
    return result;
}

// ---- docker: the SDKv2 dump ---------------------------------------------------------------------------------

interface Sdkv2Attr {
    type: string;
    optional?: boolean;
    required?: boolean;
    computed?: boolean;
    default?: unknown;
    has_default?: boolean;
    max_items?: number;
    sensitive?: boolean;
    deprecated?: string;
    elem_type?: string;
    conflicts_with?: string[];
    block?: Record<string, Sdkv2Attr>;
}

function fromSdkv2(attrs: Record<string, Sdkv2Attr>, declared?: ReadonlySet<string>): Record<string, SchemaAttribute> {
    const out: Record<string, SchemaAttribute> = {};
    for (const tf of Object.keys(attrs).sort()) {
        const a = attrs[tf];
        const maxOne = (a.type === "list" || a.type === "set") && a.max_items === 1 && a.block !== undefined;
        const kind: Kind = maxOne ? "object" : (a.type as Kind);
        const attr: SchemaAttribute = {
            tf,
            kind,
            ...(a.optional ? { optional: true } : {}),
            ...(a.required ? { required: true } : {}),
            ...(a.computed ? { computed: true } : {}),
            ...(a.sensitive ? { sensitive: true } : {}),
            ...(a.deprecated ? { deprecated: true } : {}),
            ...(a.has_default ? { default: a.default } : {}),
            ...(a.conflicts_with?.length ? { conflictsWith: a.conflicts_with } : {}),
            ...(a.elem_type ? { elem: a.elem_type as Kind } : {}),
            ...(a.block ? { block: fromSdkv2(a.block) } : {}),
        };
        out[pulumiName(tf, attr, declared)] = attr;
    }
    return out;
}

/**
 * The SDKv2 schema of one resource read from its Go source: the first `Schema: map[string]*schema.Schema{...}` of
 * `func <constructor>()`, each `"name": {Type: schema.TypeX, Optional: true, Default: ..., Elem: ...}` with nested
 * `Elem: &schema.Resource{Schema: ...}` recursed (the same fields as dump-sdkv2-schema.go.txt reads from the built
 * provider, for when building it is not possible).
 */
export function sdkv2FromSource(source: string, constructor: string): Record<string, Sdkv2Attr> {
    const start = source.indexOf(`func ${constructor}()`);
    const mapStart = source.indexOf("Schema: map[string]*schema.Schema{", start);
    if (start < 0 || mapStart < 0) {
        throw new Error(`no schema map in ${constructor}`);
    }
    return parseSchemaMap(source, source.indexOf("{", mapStart + "Schema: map[string]*schema.Schema".length));
}

/** The opening brace of the schema map a shared `Elem: <variable>` stands for (`var x = newX(...)` or `= &schema.Resource{`). */
function sharedElem(text: string, name: string): number {
    const decl = new RegExp(`var ${name} = (?:&schema\\.Resource\\{|(\\w+)\\()`).exec(text);
    if (!decl) {
        throw new Error(`no declaration of ${name}`);
    }
    const from = decl[1] ? text.indexOf(`func ${decl[1]}(`) : decl.index;
    const mapAt = text.indexOf("map[string]*schema.Schema{", from);
    return text.indexOf("{", mapAt + "map[string]*schema.Schema".length);
}

/** The index of the brace that closes the one at `open`, skipping strings and comments. */
function closing(text: string, open: number): number {
    let depth = 0;
    for (let i = open; i < text.length; i++) {
        const c = text[i];
        if (c === '"' || c === "`") {
            const end = c === "`" ? text.indexOf("`", i + 1) : (() => { let j = i + 1; while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1; return j; })();
            i = end;
        } else if (c === "/" && text[i + 1] === "/") {
            i = text.indexOf("\n", i);
        } else if (c === "{") {
            depth++;
        } else if (c === "}" && --depth === 0) {
            return i;
        }
    }
    throw new Error("unbalanced braces");
}

/** Top-level `Key: value,` fields of a composite literal body (nested literals kept whole). */
function fields(body: string): Map<string, string> {
    const out = new Map<string, string>();
    let i = 0;
    while (i < body.length) {
        const m = /^\s*(?:\/\/[^\n]*\n\s*)*([A-Z][A-Za-z]*):\s*/.exec(body.slice(i));
        if (!m) {
            const next = body.indexOf("\n", i);
            if (next < 0) break;
            i = next + 1;
            continue;
        }
        let j = i + m[0].length;
        const valueStart = j;
        let depth = 0;
        for (; j < body.length; j++) {
            const c = body[j];
            if (c === '"' || c === "`") {
                const q = c;
                j++;
                while (j < body.length && body[j] !== q) j += q === '"' && body[j] === "\\" ? 2 : 1;
            } else if (c === "{" || c === "(" || c === "[") depth++;
            else if (c === "}" || c === ")" || c === "]") depth--;
            else if (c === "," && depth === 0) break;
        }
        out.set(m[1], body.slice(valueStart, j).trim());
        i = j + 1;
    }
    return out;
}

const GO_TYPES: Record<string, string> = { TypeBool: "bool", TypeInt: "int", TypeFloat: "float", TypeString: "string", TypeList: "list", TypeMap: "map", TypeSet: "set" };

function goLiteral(value: string, text = ""): unknown {
    // A named constant: its declaration's literal.
    const constant = /^[a-zA-Z]\w*$/.test(value) && value !== "true" && value !== "false" ? new RegExp(`\\b${value}\\s*=\\s*([^\\n]+)`).exec(text) : null;
    if (constant) return goLiteral(constant[1].trim());
    if (value === "true" || value === "false") return value === "true";
    if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    if (/^"/.test(value)) return JSON.parse(value);
    return undefined;
}

function parseSchemaMap(text: string, open: number): Record<string, Sdkv2Attr> {
    const close = closing(text, open);
    const out: Record<string, Sdkv2Attr> = {};
    let i = open + 1;
    const key = /"([a-z0-9_]+)":\s*\{/g;
    while (i < close) {
        key.lastIndex = i;
        const m = key.exec(text);
        if (!m || m.index >= close) break;
        const bodyOpen = m.index + m[0].length - 1;
        const bodyClose = closing(text, bodyOpen);
        const f = fields(text.slice(bodyOpen + 1, bodyClose));
        const attr: Sdkv2Attr = { type: GO_TYPES[(f.get("Type") ?? "").replace("schema.", "")] ?? "dynamic" };
        if (f.get("Optional") === "true") attr.optional = true;
        if (f.get("Required") === "true") attr.required = true;
        if (f.get("Computed") === "true") attr.computed = true;
        if (f.get("Sensitive") === "true") attr.sensitive = true;
        if (f.has("Deprecated")) attr.deprecated = "deprecated";
        if (f.has("MaxItems")) attr.max_items = Number(f.get("MaxItems"));
        if (f.has("Default")) {
            const dv = goLiteral(f.get("Default")!, text);
            if (dv !== undefined) {
                attr.default = dv;
                attr.has_default = true;
            }
        }
        const conflicts = f.get("ConflictsWith");
        if (conflicts) attr.conflicts_with = [...conflicts.matchAll(/"([^"]+)"/g)].map((c) => c[1]);
        const elem = f.get("Elem");
        if (elem?.startsWith("&schema.Resource")) {
            const inner = bodyOpen + 1 + text.slice(bodyOpen + 1, bodyClose).indexOf(elem);
            const mapAt = text.indexOf("map[string]*schema.Schema{", inner);
            attr.block = parseSchemaMap(text, text.indexOf("{", mapAt + "map[string]*schema.Schema".length));
        } else if (elem && /^[a-z]\w*$/.test(elem)) {
            attr.block = parseSchemaMap(text, sharedElem(text, elem));
        } else if (elem?.startsWith("&schema.Schema")) {
            const t = /Type:\s*schema\.(\w+)/.exec(elem)?.[1];
            if (t) attr.elem_type = GO_TYPES[t];
        }
        out[m[1]] = attr;
        i = bodyClose + 1;
    }
    return out;
}

// ---- aws: terraform providers schema -json -------------------------------------------------------------------

interface TfBlock {
    attributes?: Record<string, { type: unknown; optional?: boolean; required?: boolean; computed?: boolean; sensitive?: boolean; deprecated?: boolean }>;
    block_types?: Record<string, { nesting_mode: string; block: TfBlock; max_items?: number }>;
}

function ctyKind(type: unknown): { kind: Kind; elem?: Kind; block?: Record<string, SchemaAttribute> } {
    if (typeof type === "string") {
        return { kind: type === "number" ? "number" : (type as Kind) };
    }
    const [outer, inner] = type as [string, unknown];
    if (outer === "object") {
        const fields = inner as Record<string, unknown>;
        return {
            kind: "object",
            block: Object.fromEntries(Object.keys(fields).sort().map((k) => [camel(k), { tf: k, ...ctyKind(fields[k]), optional: true }])),
        };
    }
    const element = ctyKind(inner);
    return element.kind === "object"
        ? { kind: outer as Kind, block: element.block }
        : { kind: outer as Kind, elem: element.kind };
}

function fromTfBlock(block: TfBlock, declared?: Map<string, { array: boolean }>): Record<string, SchemaAttribute> {
    const out: Record<string, SchemaAttribute> = {};
    const names = declared ? new Set(declared.keys()) : undefined;
    for (const [tf, a] of Object.entries(block.attributes ?? {}).sort(([x], [y]) => (x < y ? -1 : 1))) {
        const attr: SchemaAttribute = {
            tf,
            ...ctyKind(a.type),
            ...(a.optional ? { optional: true } : {}),
            ...(a.required ? { required: true } : {}),
            ...(a.computed ? { computed: true } : {}),
            ...(a.sensitive ? { sensitive: true } : {}),
            ...(a.deprecated ? { deprecated: true } : {}),
        };
        out[pulumiName(tf, attr, names)] = attr;
    }
    for (const [tf, b] of Object.entries(block.block_types ?? {}).sort(([x], [y]) => (x < y ? -1 : 1))) {
        const asList: SchemaAttribute = { tf, kind: b.nesting_mode === "set" ? "set" : "list", optional: true, block: fromTfBlock(b.block) };
        const name = pulumiName(tf, asList, names);
        // MaxItemsOne blocks are projected to one object, unless the SDK declares an array (a pulumi-aws override).
        const single = b.nesting_mode === "single" || (b.max_items === 1 && !(declared?.get(name)?.array ?? false));
        out[single ? camel(tf) : name] = single ? { ...asList, kind: "object" } : asList;
    }
    return out;
}

// ---- random: Plugin Framework Go source ---------------------------------------------------------------------

/** The first `Attributes: map[string]schema.Attribute{...}` of a file: the current schema version. */
function pfAttributes(source: string): Record<string, SchemaAttribute> {
    const start = source.indexOf("Attributes: map[string]schema.Attribute{");
    if (start < 0) {
        throw new Error("no Plugin Framework Attributes map");
    }
    let depth = 0;
    let i = source.indexOf("{", start);
    const open = i;
    for (; i < source.length; i++) {
        if (source[i] === "{") depth++;
        if (source[i] === "}" && --depth === 0) break;
    }
    const body = source.slice(open + 1, i);
    const out: Record<string, SchemaAttribute> = {};
    const re = /^\t{3}"([a-z0-9_]+)": schema\.(\w+)Attribute\{/gm;
    const heads = [...body.matchAll(re)];
    heads.forEach((h, n) => {
        const text = body.slice(h.index!, n + 1 < heads.length ? heads[n + 1].index : body.length);
        const kinds: Record<string, Kind> = { String: "string", Bool: "bool", Int64: "int", Number: "number", Map: "map", List: "list", Set: "set" };
        // number/numeric have no Default but a plan modifier that makes each the other's value, true when both are unset.
        const def = /Default:\s+\w+default\.Static(?:Bool|Int64|String)\(([^)]*)\)/.exec(text)?.[1] ?? (/NumberNumericAttributePlanModifier\(\)/.test(text) ? "true" : undefined);
        out[camel(h[1])] = {
            tf: h[1],
            kind: kinds[h[2]] ?? "dynamic",
            ...(/\bOptional:\s+true/.test(text) ? { optional: true } : {}),
            ...(/\bRequired:\s+true/.test(text) ? { required: true } : {}),
            ...(/\bComputed:\s+true/.test(text) ? { computed: true } : {}),
            ...(/\bSensitive:\s+true/.test(text) ? { sensitive: true } : {}),
            ...(/DeprecationMessage:/.test(text) ? { deprecated: true } : {}),
            ...(def !== undefined ? { default: JSON.parse(def) } : {}),
            ...(/ElementType:\s+types\.StringType/.test(text) ? { elem: "string" as Kind } : {}),
        };
    });
    return out;
}

// ---- main ---------------------------------------------------------------------------------------------------

function arg(name: string): string {
    const i = process.argv.indexOf(`--${name}`);
    if (i < 0 || !process.argv[i + 1]) {
        throw new Error(`missing --${name}`);
    }
    return process.argv[i + 1];
}

/** Attributes the SDK declares that the Terraform schema read here does not: recorded with the SDK's computed-ness. */
function sdkOnly(token: string, attrs: Record<string, SchemaAttribute>): { extra: Record<string, SchemaAttribute>; notes: string[] } {
    const declared = sdkState(token);
    const extra: Record<string, SchemaAttribute> = {};
    const notes: string[] = [];
    for (const [name, d] of declared ?? []) {
        if (!(name in attrs)) {
            const tf = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
            extra[name] = { tf, kind: d.array ? "list" : "string", optional: true, ...(d.computed ? { computed: true } : {}) };
            notes.push(`${name}: declared by the SDK (terraform-provider-aws v6), absent from 5.100.0; ${d.computed ? "Optional+Computed" : "Optional"} per its Output type`);
        }
    }
    return { extra, notes };
}

function checkNames(token: string, attrs: Record<string, SchemaAttribute>): void {
    const declared = sdkState(token);
    if (!declared) {
        throw new Error(`no SDK declaration for ${token}`);
    }
    const unknown = Object.keys(attrs).filter((k) => k !== "id" && !declared.has(k));
    if (unknown.length > 0) {
        throw new Error(`${token}: names not declared by the SDK: ${unknown.join(", ")}`);
    }
}

function main(): void {
    const result: Record<string, SchemaResource> = {};
    // --docker: the dump of the built provider (JSON), or a checkout of its source (a directory).
    const dockerArg = arg("docker");
    const docker: Record<string, Record<string, Sdkv2Attr>> = fs.statSync(dockerArg).isDirectory()
        ? Object.fromEntries(
              Object.values(DOCKER_TYPES).map((tf) => {
                  // The resource's file first, then the package's other files (shared schemas such as labelSchema).
                  const dir = path.join(dockerArg, "internal", "provider");
                  const own = path.join(dir, `resource_${tf}.go`);
                  const others = fs.readdirSync(dir).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go") && path.join(dir, f) !== own);
                  const text = [own, ...others.map((f) => path.join(dir, f))].map((f) => fs.readFileSync(f, "utf8")).join("\n");
                  const ctor = `resource${tf.split("_").map((w) => w[0].toUpperCase() + w.slice(1)).join("")}`;
                  return [tf, sdkv2FromSource(text, ctor)];
              }),
          )
        : (JSON.parse(fs.readFileSync(dockerArg, "utf8")) as Record<string, Record<string, Sdkv2Attr>>);
    for (const [token, tf] of Object.entries(DOCKER_TYPES)) {
        const declared = sdkState(token);
        const attributes = fromSdkv2(docker[tf], declared ? new Set(declared.keys()) : undefined);
        checkNames(token, attributes);
        result[token] = { tf, source: `${DOCKER_SOURCE} (${tf})`, framework: "sdkv2", hasId: true, attributes };
    }
    const aws = JSON.parse(fs.readFileSync(arg("aws"), "utf8")) as {
        provider_schemas: Record<string, { resource_schemas: Record<string, { block: TfBlock }> }>;
    };
    const awsSchemas = aws.provider_schemas["registry.terraform.io/hashicorp/aws"].resource_schemas;
    for (const [token, tf] of Object.entries(AWS_TYPES)) {
        const attributes = fromTfBlock(awsSchemas[tf].block, sdkState(token));
        const { extra, notes } = sdkOnly(token, attributes);
        // `terraform providers schema -json` shows an SDKv2 Optional+Computed block as a plain block: the SDK
        // declares its output as always set, which is how the bridge marks Computed.
        const sdk = sdkState(token)!;
        for (const [name, attr] of Object.entries(attributes)) {
            if (!attr.computed && sdk.get(name)?.computed) {
                attributes[name] = { ...attr, computed: true };
                notes.push(`${name}: Computed per the SDK's declaration (an Optional+Computed ${attr.block ? "block" : "attribute"})`);
            }
        }
        const all = { ...attributes, ...extra };
        // Names the SDK no longer declares (removed in v6) are kept out: the SDK cannot send them.
        const declared = sdkState(token)!;
        const kept = Object.fromEntries(Object.entries(all).filter(([k]) => k === "id" || declared.has(k)));
        const dropped = Object.keys(all).filter((k) => !(k in kept));
        result[token] = {
            tf,
            source: `${AWS_SOURCE} (${tf})`,
            framework: "sdkv2",
            hasId: "id" in all,
            attributes: kept,
            ...(notes.length + dropped.length > 0
                ? { notes: [...notes, ...dropped.map((d) => `${d}: in 5.100.0, not declared by @pulumi/aws 7.48.0 (removed in v6); left out`)] }
                : {}),
        };
    }
    const randomDir = arg("random");
    for (const [token, file] of Object.entries(RANDOM_TYPES)) {
        const attributes = pfAttributes(fs.readFileSync(path.join(randomDir, "internal", "provider", `resource_${file}.go`), "utf8"));
        checkNames(token, attributes);
        result[token] = {
            tf: `random_${file}`,
            source: `${RANDOM_SOURCE}resource_${file}.go (Plugin Framework schema)`,
            framework: "plugin-framework",
            hasId: "id" in attributes,
            attributes,
        };
    }
    const out = path.join(__dirname, "schemas.json");
    fs.writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
    console.log(`wrote ${out}: ${Object.keys(result).length} types`);
}

if (require.main === module) {
    main();
}
