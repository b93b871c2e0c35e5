import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PluginRegistry } from "@aflora/core";
import { ConfigError } from "./config-error.js";

/**
 * Loads the plugin packages a config lists under `imports` (npm package names, or paths relative
 * to the config file) and lets each register its implementations: a module exports
 * `register(registry)` (or a default function). Done before validation, so their names are known.
 */
export async function loadPluginModules(imports: unknown, registry: PluginRegistry, baseDir: string, source: string): Promise<void> {
  if (imports === undefined) return;
  if (!Array.isArray(imports) || !imports.every((s) => typeof s === "string" && s.length > 0)) {
    throw new ConfigError(`${source}: imports: expected a list of package names or module paths (got ${JSON.stringify(imports)})`);
  }
  const require = createRequire(join(process.cwd(), "package.json"));
  for (const [i, spec] of (imports as string[]).entries()) {
    const field = `imports[${i}]`;
    let url: string;
    try {
      url = spec.startsWith(".") || isAbsolute(spec) ? pathToFileURL(resolve(baseDir, spec)).href : pathToFileURL(require.resolve(spec)).href;
    } catch {
      throw new ConfigError(`${source}: ${field}: cannot find "${spec}" (install it next to your project, or give a path relative to the config file)`);
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`${source}: ${field}: loading "${spec}" failed: ${(e as Error).message}`);
    }
    const register = (typeof mod.register === "function" ? mod.register : mod.default) as ((r: PluginRegistry) => unknown) | undefined;
    if (typeof register !== "function") throw new ConfigError(`${source}: ${field}: "${spec}" exports no register(registry) function`);
    await register(registry);
  }
}

export function configDir(configFile: string | undefined): string {
  return configFile ? dirname(resolve(configFile)) : process.cwd();
}
