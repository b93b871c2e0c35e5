import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
/** A dependency's folder, found from its entry point (vega-embed does not export its package.json). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  // vega-lite has a package.json in build/ too: the package's own folder is the one named after it.
  while (
    basename(dir) !== name ||
    !existsSync(join(dir, "package.json")) ||
    readPackageName(join(dir, "package.json")) !== name
  ) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`dashboard: cannot find the ${name} package folder`);
    dir = up;
  }
  return dir;
}

function readPackageName(path: string): string | undefined {
  return (JSON.parse(readFileSync(path, "utf8")) as { name?: string }).name;
}

/** The page's own files (public/) and the charting libraries, served from node_modules. */
export function assetFiles(): Record<string, string> {
  const pub = fileURLToPath(new URL("../public/", import.meta.url));
  return {
    "/": join(pub, "index.html"),
    "/app.js": join(pub, "app.js"),
    "/app.css": join(pub, "app.css"),
    "/vendor/vega.min.js": join(packageDir("vega"), "build/vega.min.js"),
    "/vendor/vega-lite.min.js": join(packageDir("vega-lite"), "build/vega-lite.min.js"),
    "/vendor/vega-embed.min.js": join(packageDir("vega-embed"), "build/vega-embed.min.js"),
  };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".yaml": "text/yaml; charset=utf-8",
  ".yml": "text/yaml; charset=utf-8",
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}
