import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parsePackageName, pluginTemplate, type PluginTemplateOptions } from "./plugin-template.js";

export interface ScaffoldPluginOptions extends PluginTemplateOptions {
  /** Target folder (default: `./<name without scope>` under `cwd`); it must not exist or be empty. */
  dir?: string;
  cwd?: string;
}

export interface ScaffoldResult {
  dir: string;
  files: string[];
}

/** Writes a standalone plugin package (see `pluginTemplate`) into a new or empty folder. */
export function scaffoldPlugin(o: ScaffoldPluginOptions): ScaffoldResult {
  const files = pluginTemplate(o);
  const dir = resolve(o.cwd ?? process.cwd(), o.dir ?? parsePackageName(o.packageName).bare);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new Error(`--dir ${dir}: the folder exists and is not empty`);
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir, files: Object.keys(files) };
}
