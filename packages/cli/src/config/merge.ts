type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Deep-merges config layers, later ones winning. A plugin section whose `name` changes
 * is replaced, not merged: options of one scorer make no sense for another.
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
