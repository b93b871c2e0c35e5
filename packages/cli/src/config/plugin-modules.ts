import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PluginRegistry } from "@aflora/core";
import { ConfigError } from "./config-error.js";

const loaded = new WeakMap<PluginRegistry, Set<string>>();

/**
 * Loads plugin packages (npm package names, or module paths relative to `baseDir`) and lets each
 * register its implementations: a module exports `register(registry)` (or a default function).
 * Done before validation, so their names and option schemas are known. Loading one twice is a no-op.
 */
export async function loadPluginModules(
  specs: unknown,
  registry: PluginRegistry,
  baseDir: string,
  source: string,
  field = "imports",
): Promise<void> {
  if (specs === undefined) return;
  if (!Array.isArray(specs) || !specs.every((s) => typeof s === "string" && s.length > 0)) {
    throw new ConfigError(
      `${source}: ${field}: expected a list of package names or module paths (got ${JSON.stringify(specs)})`,
    );
  }
  const done = loaded.get(registry) ?? new Set<string>();
  loaded.set(registry, done);
  const requireFrom = [
    createRequire(join(baseDir, "package.json")),
    createRequire(join(process.cwd(), "package.json")),
  ];
  for (const [i, spec] of (specs as string[]).entries()) {
    const at = field.startsWith("--") ? `${field} ${spec}` : `${field}[${i}]`;
    let url: string | null = null;
    if (spec.startsWith(".") || isAbsolute(spec)) url = pathToFileURL(resolve(baseDir, spec)).href;
    else {
      for (const req of requireFrom) {
        try {
          url = pathToFileURL(req.resolve(spec)).href;
          break;
        } catch {
          // try the next location
        }
      }
    }
    if (url === null)
      throw new ConfigError(
        `${source}: ${at}: cannot find "${spec}" (install it next to your project, or give a path)`,
      );
    if (done.has(url)) continue;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`${source}: ${at}: loading "${spec}" failed: ${(e as Error).message}`);
    }
    const register = (typeof mod.register === "function" ? mod.register : mod.default) as
      ((r: PluginRegistry) => unknown) | undefined;
    if (typeof register !== "function")
      throw new ConfigError(`${source}: ${at}: "${spec}" exports no register(registry) function`);
    await register(registry);
    done.add(url);
  }
}
