import { existsSync, readFileSync } from "node:fs";
import { LineCounter, parseDocument, isNode, type Document } from "yaml";
import type { z } from "zod";
import { SweepError } from "../errors.js";
import { sweepFileSchema, type SweepFile } from "./sweep-file.js";

/** Reads and validates a sweep file (YAML or JSON); every error names the file, line and field. */
export function readSweepFile(path: string): SweepFile {
  if (!existsSync(path)) throw new SweepError(`${path}: sweep file not found`);
  const text = readFileSync(path, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new SweepError(`${path}:${at.line}: ${syntax.message.split("\n")[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SweepError(`${path}: expected a mapping with name, base and grid and/or trials`);
  }
  const parsed = sweepFileSchema.safeParse(raw);
  if (!parsed.success) throw new SweepError(formatIssue(path, doc, lines, parsed.error.issues[0]!));
  const file = parsed.data;
  if (!file.grid && !file.trials) throw new SweepError(`${path}: give a grid and/or a trials list (neither found)`);
  return file;
}

function formatIssue(path: string, doc: Document, lines: LineCounter, issue: z.core.$ZodIssue): string {
  const keys = issue.path.map((k) => (typeof k === "symbol" ? String(k) : k));
  // The deepest node that exists locates the line (a missing field points at its parent).
  let line: number | null = null;
  for (let n = keys.length; n >= 0 && line === null; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
  }
  const field = keys.length ? keys.join(".") : "(top level)";
  const extra = issue.code === "unrecognized_keys" ? `: ${issue.keys.join(", ")}` : "";
  // A bad record key: zod nests the key's own issue (e.g. the path pattern's message).
  const message =
    issue.code === "invalid_key" && issue.issues[0]
      ? `invalid key, expected ${issue.issues[0].message}`
      : issue.message;
  return `${path}${line !== null ? `:${line}` : ""}: ${field}: ${message}${extra}`;
}
