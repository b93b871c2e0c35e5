import type { DependencyContainer } from "tsyringe";
import { z } from "zod";

/** The kinds of plugin a run config selects by name. */
export const PLUGIN_KINDS = [
  "model",
  "adapter",
  "scorer",
  "schedule",
  "task",
  "metric",
  "reporter",
  "optimizer",
  "plugin",
] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** One named implementation. `create` receives the config section (already checked by `options` or `parse`). */
export interface PluginDefinition<T = unknown, O = Record<string, unknown>> {
  kind: PluginKind;
  name: string;
  description: string;
  /** The options' zod schema, with defaults and `.describe()`d fields; the name key is not part of it. */
  options?: z.ZodType<O>;
  /** Validates the options; throws an Error whose message names the offending field. */
  parse?: (options: Record<string, unknown>) => O;
  create: (options: O, container: DependencyContainer) => T;
  /** Package that registered it (for error messages and docs). */
  package?: string;
  /** Model plugins: the Hugging Face `model_type`s of config.json they load, so a bare model path finds its family. */
  modelTypes?: readonly string[];
  /** Other config sections this plugin relies on (an AFLoRA adapter uses a "scorer" and a "schedule"). */
  uses?: readonly PluginKind[];
}

export class UnknownPluginError extends Error {
  constructor(
    readonly kind: PluginKind,
    readonly pluginName: string,
    readonly known: string[],
  ) {
    super(
      `Unknown ${kind} "${pluginName}". Known ${kind} names: ${known.length ? known.join(", ") : "(none registered)"}.`,
    );
    this.name = "UnknownPluginError";
  }
}

/**
 * Named implementations per kind. Each package registers its own with one call
 * (e.g. `registerScorers(registry)`); a config `{ "scorer": { "name": "aflora" } }` then
 * selects one without code changes.
 */
export class PluginRegistry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- definitions of every options type live in one map; each is parsed by its own schema
  private readonly byKind = new Map<PluginKind, Map<string, PluginDefinition<any, any>>>();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- definitions of every options type live in one map; each is parsed by its own schema
  register(def: PluginDefinition<any, any>): this {
    const m = this.byKind.get(def.kind) ?? new Map();
    if (m.has(def.name)) throw new Error(`PluginRegistry: ${def.kind} "${def.name}" is already registered`);
    m.set(def.name, def);
    this.byKind.set(def.kind, m);
    return this;
  }

  has(kind: PluginKind, name: string): boolean {
    return this.byKind.get(kind)?.has(name) ?? false;
  }

  names(kind: PluginKind): string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])].sort();
  }

  definitions(kind?: PluginKind): PluginDefinition<unknown, unknown>[] {
    const kinds = kind ? [kind] : [...this.byKind.keys()];
    return kinds.flatMap((k) => [...(this.byKind.get(k)?.values() ?? [])]);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- definitions of every options type live in one map; each is parsed by its own schema
  get<T = unknown>(kind: PluginKind, name: string): PluginDefinition<T, any> {
    const def = this.byKind.get(kind)?.get(name);
    if (!def) throw new UnknownPluginError(kind, name, this.names(kind));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- definitions of every options type live in one map; each is parsed by its own schema
    return def as PluginDefinition<T, any>;
  }

  /**
   * Builds the implementation a config section names: `{ name, ...options }`.
   * `field` is the config path used in error messages (e.g. "scorer").
   */
  create<T = unknown>(
    kind: PluginKind,
    section: { name: string } & Record<string, unknown>,
    container: DependencyContainer,
    field: string = kind,
  ): T {
    if (!section || typeof section.name !== "string")
      throw new Error(
        `${field}.name: expected the name of a registered ${kind} (one of: ${this.names(kind).join(", ")})`,
      );
    const def = this.get<T>(kind, section.name);
    const { name: _name, ...options } = section;
    let parsed: unknown = options;
    if (def.options) {
      const r = def.options.safeParse(options, { reportInput: true });
      if (!r.success) throw new Error(`${field} (${kind} "${section.name}"): ${formatZodIssues(r.error, def.options)}`);
      parsed = r.data;
    } else if (def.parse) {
      try {
        parsed = def.parse(options);
      } catch (e) {
        throw new Error(`${field} (${kind} "${section.name}"): ${(e as Error).message}`);
      }
    }
    return def.create(parsed as never, container);
  }
}

/** Infers a definition's option type from its zod schema: `definePlugin({ kind, name, options: z.object({...}), create })`. */
export function definePlugin<T, S extends z.ZodType>(
  def: Omit<PluginDefinition<T, z.output<S>>, "options" | "parse"> & { options: S },
): PluginDefinition<T, z.output<S>> {
  return def as PluginDefinition<T, z.output<S>>;
}

/** One line per issue, each starting with the dotted path of the offending field. */
export function formatZodIssues(error: z.ZodError, schema?: z.ZodType): string {
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
  const knownNote = known ? ` (known options: ${known.length ? known.join(", ") : "none"})` : "";
  return error.issues
    .map((i) => {
      const path = i.path.map(String).join(".");
      const unknownKeys = i.code === "unrecognized_keys" ? (i as { keys: string[] }).keys : null;
      if (unknownKeys)
        return `${unknownKeys.map((k) => (path ? `${path}.${k}` : k)).join(", ")}: unknown option${path ? "" : knownNote}`;
      const input = (i as { input?: unknown }).input;
      const shown =
        input === undefined || (typeof input === "object" && input !== null) ? "" : `, got ${JSON.stringify(input)}`;
      return `${path || "(options)"}: ${i.message}${i.message.includes(" got ") ? "" : shown}`;
    })
    .join("; ");
}
