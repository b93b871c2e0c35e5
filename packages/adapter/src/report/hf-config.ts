/** Reads Hugging Face config.json fields with the HF config classes' defaults; errors name the field. */
export class HfConfig {
  constructor(
    private readonly raw: Record<string, unknown>,
    readonly source: string,
  ) {}

  fail(key: string, msg: string): never {
    throw new Error(`${this.source}: ${key}: ${msg}`);
  }

  int(key: string, fallback?: number): number {
    const v = this.raw[key] ?? fallback;
    if (v === undefined) this.fail(key, "missing");
    if (typeof v !== "number" || !Number.isInteger(v)) this.fail(key, `expected an integer, got ${JSON.stringify(v)}`);
    return v as number;
  }

  positive(key: string, fallback?: number): number {
    const v = this.int(key, fallback);
    if (v < 1) this.fail(key, `expected a positive integer, got ${v}`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== "boolean") this.fail(key, `expected true or false, got ${JSON.stringify(v)}`);
    return v as boolean;
  }

  string(key: string, fallback: string): string {
    const v = this.raw[key] ?? fallback;
    if (typeof v !== "string") this.fail(key, `expected a string, got ${JSON.stringify(v)}`);
    return v as string;
  }

  get(key: string): unknown {
    return this.raw[key];
  }

  /** HF: `len(id2label)` when present, else `num_labels`, else 2. */
  numLabels(): number {
    const id2label = this.raw.id2label;
    if (id2label !== undefined && id2label !== null) {
      if (typeof id2label !== "object") this.fail("id2label", `expected an object, got ${JSON.stringify(id2label)}`);
      return Object.keys(id2label as object).length;
    }
    return this.positive("num_labels", 2);
  }

  /** `pos_att_type` as a list (HF accepts "p2c|c2p"). */
  posAttType(): string[] {
    const v = this.raw.pos_att_type;
    if (v === undefined || v === null) return [];
    if (typeof v === "string")
      return v
        .toLowerCase()
        .split("|")
        .map((s) => s.trim())
        .filter(Boolean);
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v.map((s: string) => s.toLowerCase());
    return this.fail("pos_att_type", `expected a list or a "p2c|c2p" string, got ${JSON.stringify(v)}`);
  }
}
