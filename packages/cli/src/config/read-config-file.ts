import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "./config-error.js";

/** Reads a YAML (.yaml/.yml) or JSON config file into a plain object; syntax errors name the file and line. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(
      `${path}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let value: unknown;
  if (extname(path).toLowerCase() === ".json") {
    try {
      value = JSON.parse(text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? text.slice(0, Number(m[1])).split("\n").length : null;
      throw new ConfigError(`${path}${line ? `:${line}` : ""}: invalid JSON (${(e as Error).message})`);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: false });
    if (doc.errors.length) {
      const err = doc.errors[0]!;
      const line = err.linePos?.[0]?.line ?? (err.pos ? text.slice(0, err.pos[0]).split("\n").length : null);
      throw new ConfigError(`${path}${line ? `:${line}` : ""}: invalid YAML (${err.message.split("\n")[0]})`);
    }
    value = doc.toJS();
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ConfigError(`${path}: expected a mapping of config fields at the top level`);
  return value as Record<string, unknown>;
}
