/**
 * A label cell as a class id: either one of the label names or its index as written in
 * GLUE files ("0", "1"). `labels === null` means regression: a finite float.
 * Returns an error reason instead of throwing so readers can skip-and-count.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseLabel(raw: unknown, labels: readonly string[] | null): number | string {
  if (labels === null) {
    // Decimal only, as Python's float() reads it: Number() would also take "0x1F" (31), "0b1" and "0o7".
    const v =
      typeof raw === "number"
        ? raw
        : typeof raw === "string" && DECIMAL.test(raw.trim())
          ? Number(raw.trim())
          : Number.NaN;
    return Number.isFinite(v) ? v : `regression label ${JSON.stringify(raw)} is not a decimal number`;
  }
  if (typeof raw === "string") {
    const byName = labels.indexOf(raw);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(raw) && Number(raw) < labels.length) return Number(raw);
  } else if ((typeof raw === "number" || typeof raw === "bigint") && Number.isInteger(Number(raw))) {
    const v = Number(raw);
    if (v >= 0 && v < labels.length) return v;
  }
  return `label ${JSON.stringify(typeof raw === "bigint" ? Number(raw) : raw)} is not one of ${labels.map((l, i) => `${i}=${l}`).join(", ")}`;
}
