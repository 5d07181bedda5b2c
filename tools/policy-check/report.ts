// What `policy:check` prints: a table for people, or exactly one JSON object for machines.
import type { Inconclusive, Violation } from "../analyzer/judge";

export interface CheckResult {
    readonly resources: number;
    readonly mode: "update" | "preview";
    readonly violations: readonly Violation[];
    readonly inconclusive: readonly Inconclusive[];
}

export function mandatoryCount(violations: readonly Violation[]): number {
    return violations.filter((v) => v.level === "mandatory").length;
}

/** "type::name" of a URN (urn:pulumi:<stack>::<project>::<parent$type>::<name>); "(stack)" for stack-wide findings. */
export function resourceLabel(urn: string | undefined): string {
    if (!urn) {
        return "(stack)";
    }
    const parts = urn.split("::");
    if (parts.length < 4) {
        return urn;
    }
    const type = parts[2].split("$").pop();
    return `${type}::${parts.slice(3).join("::")}`;
}

/** Breaks text into lines of at most `width` characters at spaces; a longer word keeps its own line. */
export function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split("\n")) {
        let line = "";
        for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
            if (line && line.length + 1 + word.length > width) {
                lines.push(line);
                line = word;
            } else {
                line = line ? `${line} ${word}` : word;
            }
        }
        lines.push(line);
    }
    return lines;
}

/** A plain-text table; each column is wrapped to its maximum width. */
export function renderTable(headers: readonly string[], rows: readonly string[][], maxWidths: readonly number[]): string {
    const cells = rows.map((row) => row.map((cell, i) => wrap(cell, maxWidths[i])));
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => Math.max(...row[i].map((l) => l.length)))));
    const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
    const out = [line(headers), line(widths.map((w) => "-".repeat(w)))];
    for (const row of cells) {
        const height = Math.max(...row.map((c) => c.length));
        for (let l = 0; l < height; l++) {
            out.push(line(row.map((c) => c[l] ?? "")));
        }
    }
    return out.join("\n");
}

export function summaryLine(result: CheckResult): string {
    const mandatory = mandatoryCount(result.violations);
    const advisory = result.violations.length - mandatory;
    const cantRun = result.inconclusive.filter((i) => i.kind === "cant-run").length;
    const undecided = result.inconclusive.length > 0 ? `; ${result.inconclusive.length} checks undecided: values unknown until apply (${cantRun} policies could not run)` : "";
    return `policy:check (${result.mode}): ${result.resources} resources, ${mandatory} mandatory, ${advisory} advisory violations${undecided}`;
}

/** The violations table (mandatory findings first), the undecided checks (each also a violation), and the summary line. */
export function formatReport(result: CheckResult): string {
    const parts: string[] = [];
    if (result.violations.length > 0) {
        const ordered = [...result.violations].sort((a, b) => Number(b.level === "mandatory") - Number(a.level === "mandatory"));
        const rows = ordered.map((v) => [v.policy, v.level, resourceLabel(v.urn), v.message, v.controls.join(", ")]);
        parts.push(renderTable(["POLICY", "LEVEL", "RESOURCE", "MESSAGE", "CONTROLS"], rows, [40, 9, 60, 72, 24]));
    }
    if (result.inconclusive.length > 0) {
        const rows = result.inconclusive.map((i) => [i.policy, i.level, resourceLabel(i.urn), i.field, i.kind]);
        parts.push(`Undecided, values unknown until apply (each refused above at its policy's level):\n${renderTable(["POLICY", "LEVEL", "RESOURCE", "FIELD", "KIND"], rows, [40, 9, 60, 40, 9])}`);
    }
    parts.push(summaryLine(result));
    return parts.join("\n\n");
}

/** The documented machine shape; see USAGE in args.ts. */
export function jsonReport(result: CheckResult): string {
    const violations = result.violations.map((v) => ({
        policy: v.policy,
        level: v.level,
        urn: v.urn ?? null,
        message: v.message,
        controls: [...v.controls],
    }));
    const inconclusive = result.inconclusive.map((i) => ({ policy: i.policy, level: i.level, urn: i.urn ?? null, field: i.field, kind: i.kind }));
    return JSON.stringify({ resources: result.resources, mode: result.mode, violations, inconclusive }, null, 2);
}

export function jsonError(message: string): string {
    return JSON.stringify({ error: message }, null, 2);
}
