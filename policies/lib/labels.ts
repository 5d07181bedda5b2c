// Reading the labels bulwark puts on containers (bulwark-vocabulary LABELS) from Docker provider props.
import { isUnknown } from "bulwark-vocabulary";

/** Docker provider labels are a list of {label, value}; this reads one whatever the list holds. */
export function labelValue(labels: unknown, key: string): string | undefined {
    if (!Array.isArray(labels)) {
        return undefined;
    }
    const found = labels.find((l) => l && typeof l === "object" && (l as { label?: unknown }).label === key);
    return typeof found?.value === "string" && !isUnknown(found.value) ? found.value : undefined;
}
