// Renders audit rows: an aligned table for people, JSON for CI.
import { Row } from "./checks";

export interface Report {
    readonly stack: string;
    readonly proxy?: string;
    readonly generatedAt: string;
    readonly passed: boolean;
    readonly rows: readonly Row[];
}

export function toReport(stack: string, proxy: string | undefined, rows: readonly Row[]): Report {
    return { stack, proxy, generatedAt: new Date().toISOString(), passed: rows.every((r) => r.result === "pass"), rows };
}

/** CHECK | TARGET | RESULT | CONTROLS | DETAIL; the detail comes last so long text does not break the columns. */
export function renderTable(report: Report): string {
    const head = ["CHECK", "TARGET", "RESULT", "CONTROLS", "DETAIL"];
    const cells = report.rows.map((r) => [r.check, r.target, r.result === "pass" ? "pass" : "FAIL", r.controls.join(",") || "-", r.detail]);
    const width = (i: number) => Math.max(head[i].length, ...cells.map((c) => c[i].length));
    const widths = [0, 1, 2, 3].map(width);
    const line = (c: string[]) => c.map((v, i) => (i < 4 ? v.padEnd(widths[i]) : v)).join("  ").trimEnd();
    const failed = report.rows.filter((r) => r.result === "fail").length;
    return [
        `bulwark live audit: stack ${report.stack}${report.proxy ? `, proxy ${report.proxy}` : ""}`,
        "",
        line(head),
        line(widths.map((w) => "-".repeat(w)).concat("------")),
        ...cells.map(line),
        "",
        failed ? `${failed} of ${report.rows.length} checks FAILED` : `all ${report.rows.length} checks passed`,
    ].join("\n");
}
