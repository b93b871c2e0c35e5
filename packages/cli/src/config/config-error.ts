import type { z } from "zod";

/** A config problem; the message names the file (when there is one) and the field path. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function pathString(path: readonly PropertyKey[]): string {
  return (
    path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("") || "(root)"
  );
}

const shown = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

/** One line per zod issue: `path: expected … (got …)`. */
export function formatIssue(
  issue: z.core.$ZodIssue,
  allowedKeys: (path: readonly PropertyKey[]) => string[] | null,
): string {
  const at = pathString(issue.path);
  const got = "input" in issue && issue.input !== undefined ? ` (got ${shown(issue.input)})` : "";
  switch (issue.code) {
    case "invalid_value":
      return `${at}: expected one of ${issue.values.map((v) => String(v)).join(", ")}${got}`;
    case "unrecognized_keys": {
      const allowed = allowedKeys(issue.path);
      return issue.keys
        .map(
          (k) =>
            `${pathString([...issue.path, k])}: unknown field${allowed ? `; allowed fields: ${allowed.join(", ")}` : ""}`,
        )
        .join("\n");
    }
    case "invalid_type":
      return issue.input === undefined
        ? `${at}: required (expected ${issue.expected})`
        : `${at}: expected ${issue.expected === "int" ? "an integer" : issue.expected}${got}`;
    case "invalid_union": {
      // Report the branch that got furthest rather than every alternative.
      const deepest = issue.errors
        .map((errs) => errs[0])
        .filter(Boolean)
        .sort((a, b) => b!.path.length - a!.path.length)[0];
      if (deepest && deepest.path.length > 0)
        return formatIssue({ ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue, allowedKeys);
      return `${at}: ${issue.message}${got}`;
    }
    case "too_small":
    case "too_big":
      return `${at}: ${issue.message.replace(/^Too (small|big): expected number to (be )?/, "expected ")}${got}`;
    default:
      return `${at}: ${issue.message}${got}`;
  }
}
