// The input properties of a provider resource as the installed SDK declares them (`<Type>Args` in the type's
// .d.ts, nested `inputs.*` interfaces followed), read with the TypeScript compiler's type checker. The gate's
// classification (policies/gate/classification.ts) is tested against this, so a provider upgrade that adds or
// renames a field fails a test instead of slipping past the gate.
import * as path from "node:path";
import * as ts from "typescript";

export type Shape =
    | { readonly kind: "string" | "number" | "boolean" | "any" }
    | { readonly kind: "enum"; readonly values: readonly (string | number)[] }
    | { readonly kind: "array"; readonly element: Shape }
    | { readonly kind: "map"; readonly value: Shape }
    | { readonly kind: "object"; readonly name: string; readonly fields: Readonly<Record<string, Shape>> };

const NODE_MODULES = path.resolve(__dirname, "..", "..", "..", "node_modules");

/** The .d.ts file and Args interface of a type token: `docker:index/container:Container` -> docker/container.d.ts. */
export function declarationOf(token: string): { file: string; args: string } {
    const provider = /^pulumi:providers:(\w+)$/.exec(token);
    if (provider) {
        return { file: path.join(NODE_MODULES, "@pulumi", provider[1], "provider.d.ts"), args: "ProviderArgs" };
    }
    const match = /^(\w+):([\w/]+)\/(\w+):(\w+)$/.exec(token);
    if (!match) {
        throw new Error(`not a provider resource token: ${token}`);
    }
    const [, pkg, module, file, cls] = match;
    const dir = module === "index" ? "" : module;
    return { file: path.join(NODE_MODULES, "@pulumi", pkg, dir, `${file}.d.ts`), args: `${cls}Args` };
}

let program: ts.Program | undefined;
const programFiles = new Set<string>();

/** Reads the declarations of all these types in one compiler program (one per file is far slower). */
export function preloadSdk(tokens: readonly string[]): void {
    const files = tokens.map((t) => declarationOf(t).file).filter((f) => !programFiles.has(f));
    if (files.length > 0) {
        files.forEach((f) => programFiles.add(f));
        program = ts.createProgram([...programFiles], { noEmit: true, skipLibCheck: true, types: [] }, undefined, program);
    }
}

function checkerFor(file: string): { checker: ts.TypeChecker; source: ts.SourceFile } {
    if (!program || !programFiles.has(file)) {
        programFiles.add(file);
        program = ts.createProgram([...programFiles], { noEmit: true, skipLibCheck: true, types: [] }, undefined, program);
    }
    const source = program.getSourceFile(file);
    if (!source) {
        throw new Error(`cannot read ${file}`);
    }
    return { checker: program.getTypeChecker(), source };
}

/** Promise<T>, Output<T>, OutputInstance<T>: the ways pulumi.Input<T> wraps T. */
const WRAPPERS = new Set(["Promise", "OutputInstance", "Output", "PromiseLike"]);

function shapeOf(checker: ts.TypeChecker, type: ts.Type, seen: Set<ts.Type>): Shape {
    if (type.isUnion()) {
        // A resource passed in place of its name or ARN (`role: string | Role`) is sent as the string.
        const isResource = (t: ts.Type) => !!t.getProperty("urn") && !!t.getProperty("getProvider");
        const members = type.types.filter(
            (t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) && !WRAPPERS.has(t.getSymbol()?.getName() ?? "") && !isResource(t),
        );
        const literals = members.filter((t): t is ts.LiteralType => t.isStringLiteral() || t.isNumberLiteral());
        if (members.length > 0 && members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) {
            return { kind: "boolean" };
        }
        const rest = members.filter((t) => !literals.includes(t as ts.LiteralType) && !(t.flags & ts.TypeFlags.BooleanLiteral));
        if (rest.length === 0 && literals.length > 0) {
            return { kind: "enum", values: literals.map((t) => t.value as string | number) };
        }
        // Input<T> = T | Promise<T> | OutputInstance<T>: T is what is left (a string enum may come with `string`).
        const shapes = rest.map((t) => shapeOf(checker, t, seen));
        return shapes.find((s) => s.kind !== "string") ?? shapes[0] ?? { kind: "any" };
    }
    if (type.flags & ts.TypeFlags.StringLike) {
        return type.isStringLiteral() ? { kind: "enum", values: [type.value] } : { kind: "string" };
    }
    if (type.flags & ts.TypeFlags.NumberLike) {
        return { kind: "number" };
    }
    if (type.flags & ts.TypeFlags.BooleanLike) {
        return { kind: "boolean" };
    }
    if (type.flags & ts.TypeFlags.Any || type.flags & ts.TypeFlags.Unknown) {
        return { kind: "any" };
    }
    if (checker.isArrayType(type)) {
        const [element] = checker.getTypeArguments(type as ts.TypeReference);
        return { kind: "array", element: shapeOf(checker, element, seen) };
    }
    if (WRAPPERS.has(type.getSymbol()?.getName() ?? "")) {
        const [inner] = checker.getTypeArguments(type as ts.TypeReference);
        return inner ? shapeOf(checker, inner, seen) : { kind: "any" };
    }
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    const props = checker.getPropertiesOfType(type);
    if (index && props.length === 0) {
        return { kind: "map", value: shapeOf(checker, index.type, seen) };
    }
    if (seen.has(type)) {
        return { kind: "any" };
    }
    const fields: Record<string, Shape> = {};
    const inner = new Set(seen).add(type);
    for (const prop of props) {
        const decl = prop.valueDeclaration ?? prop.declarations?.[0];
        fields[prop.getName()] = decl ? shapeOf(checker, checker.getTypeOfSymbolAtLocation(prop, decl), inner) : { kind: "any" };
    }
    return { kind: "object", name: checker.typeToString(type), fields };
}

const cache = new Map<string, Extract<Shape, { kind: "object" }>>();

/** The declared inputs of a resource type, by token. */
export function sdkInputs(token: string): Extract<Shape, { kind: "object" }> {
    const cached = cache.get(token);
    if (cached) {
        return cached;
    }
    const { file, args } = declarationOf(token);
    const { checker, source } = checkerFor(file);
    const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === args);
    if (!decl) {
        throw new Error(`${file} declares no ${args}`);
    }
    const shape = shapeOf(checker, checker.getTypeAtLocation(decl), new Set());
    if (shape.kind !== "object") {
        throw new Error(`${args} is not an object type`);
    }
    cache.set(token, shape);
    return shape;
}
