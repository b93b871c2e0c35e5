import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { SweepError } from "../errors.js";
import { expandDataShorthand, isObj, mergeConfig } from "./merge.js";

type Obj = Record<string, unknown>;

/** A preset of the CLI (`demo`, `glue/rte`) read from its presets folder, `$comment` dropped. */
export function loadPreset(name: string, presetsDir: string, where: string): Obj {
  const file = join(presetsDir, `${name}.json`);
  if (!/^[a-z0-9/_-]+$/.test(name) || !existsSync(file)) {
    throw new SweepError(`${where}: preset "${name}" not found in ${presetsDir}`);
  }
  const preset = JSON.parse(readFileSync(file, "utf8")) as Obj;
  delete preset.$comment;
  return withData(preset);
}

function withData(layer: Obj): Obj {
  return layer.data === undefined ? layer : { ...layer, data: expandDataShorthand(layer.data) };
}

function readConfig(path: string, where: string): Obj {
  if (!existsSync(path)) throw new SweepError(`${where}: config file ${path} not found`);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new SweepError(`${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!isObj(raw)) throw new SweepError(`${path}: expected a mapping of config fields`);
  return raw;
}

/**
 * The base config of a sweep, as `aflora train --config` would layer it: a preset (named by the
 * base or by its config file), then the base's own fields. Relative `imports` become absolute so
 * the trial config works from the sweep folder.
 */
export function resolveBase(base: string | Obj, o: { sweepFile: string; presetsDir: string; preset?: string }): Obj {
  const where = `${o.sweepFile}: base`;
  const fileDir = typeof base === "string" ? dirname(resolve(dirname(o.sweepFile), base)) : dirname(o.sweepFile);
  const layer = typeof base === "string" ? readConfig(resolve(dirname(o.sweepFile), base), where) : { ...base };
  const presetName = o.preset ?? layer.preset;
  delete layer.preset;
  if (presetName !== undefined && typeof presetName !== "string")
    throw new SweepError(`${where}.preset: expected a preset name`);
  const merged = mergeConfig(presetName ? loadPreset(presetName, o.presetsDir, where) : {}, withData(layer));
  if (Array.isArray(merged.imports)) {
    merged.imports = merged.imports.map((s: unknown) =>
      typeof s === "string" && s.startsWith(".") ? resolve(fileDir, s) : s,
    );
  }
  return merged;
}
