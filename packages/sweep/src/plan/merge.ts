type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Deep-merges config layers, later ones winning, with the CLI's rule that a plugin section whose
 * `name` changes is replaced, not merged (options of one scorer make no sense for another).
 * The same rule as `aflora train --set`, so a sweep override means what the flag would.
 */
export function mergeConfig(...layers: (Obj | undefined)[]): Obj {
  let out: Obj = {};
  for (const layer of layers) if (layer) out = mergeTwo(out, layer);
  return out;
}

function mergeTwo(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const prev = out[k];
    if (isObj(prev) && isObj(v)) {
      const renamed = "name" in v && "name" in prev && v.name !== prev.name;
      out[k] = renamed ? { ...v } : mergeTwo(prev, v);
    } else out[k] = isObj(v) ? mergeTwo({}, v) : v;
  }
  return out;
}

/** Sets `a.b.c` in an object, creating intermediate objects. */
export function setPath(target: Obj, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(o[k])) o[k] = {};
    o = o[k] as Obj;
  }
  o[keys[keys.length - 1]!] = value;
}

/** Reads `a.b.c` from an object (undefined when absent). */
export function getPath(source: unknown, path: string): unknown {
  let o = source;
  for (const k of path.split(".")) {
    if (!isObj(o)) return undefined;
    o = o[k];
  }
  return o;
}

/** The CLI's data shorthands: `glue:rte` → `{ name: "glue/rte" }`, `spam-assassin` → `{ name: "spam-assassin" }`. */
export function expandDataShorthand(data: unknown): unknown {
  if (typeof data !== "string") return data;
  const m = /^glue[:/](.+)$/.exec(data);
  return { name: m ? `glue/${m[1]!.toLowerCase().replace(/[^a-z0-9]/g, "")}` : data };
}
