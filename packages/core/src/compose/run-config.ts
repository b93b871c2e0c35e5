import { z } from "zod";
import { BACKEND_NAMES } from "../backend-name.js";
import type { PluginKind, PluginRegistry } from "../plugin-registry.js";
import { formatZodIssues } from "../plugin-registry.js";
import { trainingSchema, type TrainingConfig } from "./training-schema.js";

/** A plugin section: `{ name, ...options }`. */
export type PluginSection = { name: string } & Record<string, unknown>;

/** A run config after validation: every section checked against its plugin's schema, defaults filled in. */
export interface RunConfig {
  model: PluginSection;
  adapter: PluginSection;
  scorer?: PluginSection;
  schedule?: PluginSection;
  data: PluginSection;
  training: TrainingConfig;
  reportTo: PluginSection[];
  plugins: PluginSection[];
  imports: string[];
  backend: string;
  threads?: number;
  output: string;
  name?: string;
}

/** Config fields that select one plugin: field → kind and the name used when the field is left out. */
export const PLUGIN_SECTIONS = {
  model: { kind: "model", default: "encoder" },
  adapter: { kind: "adapter", default: "aflora" },
  scorer: { kind: "scorer", default: "aflora" },
  schedule: { kind: "schedule", default: "cubic" },
  data: { kind: "task", default: null },
} as const satisfies Record<string, { kind: PluginKind; default: string | null }>;

/** Sections that matter only when a selected plugin declares it `uses` them (the freezing score and schedule). */
const DEPENDENT_SECTIONS = ["scorer", "schedule"] as const;

const sectionShape = z.object({ name: z.string().min(1) }).loose();

/** The top level, with plugin sections left open; each is then checked by its own plugin's schema. */
export const runConfigShape = z
  .object({
    model: z
      .union([z.string().min(1), z.object({ name: z.string().min(1).optional() }).loose()])
      .default("demo")
      .describe('"demo", a Hugging Face model folder or hub id, or { name: <model family>, path, ... }'),
    adapter: sectionShape
      .optional()
      .describe("the adapter method: { name: aflora | lora | elora | full | <plugin>, ...options }"),
    scorer: sectionShape.optional().describe("the freezing score (used by methods that freeze, e.g. aflora)"),
    schedule: sectionShape.optional().describe("the freezing schedule (used by methods that freeze, e.g. aflora)"),
    data: z
      .union([z.string().min(1), sectionShape])
      .optional()
      .describe("the task: { name: glue/<task> | csv | jsonl | spam-assassin | <plugin>, ...options }, or glue:<task>"),
    training: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("training options (HF TrainingArguments meanings)"),
    reportTo: z
      .array(z.union([z.string().min(1), sectionShape]))
      .default([])
      .describe('reporters by name (HF report_to), e.g. ["tensorboard"]'),
    plugins: z.array(sectionShape).default([]).describe("extra plugins attached to the run, by name"),
    imports: z
      .array(z.string().min(1))
      .default([])
      .describe("plugin packages or module paths to load first; each exports register(registry)"),
    backend: z
      .enum(["auto", ...BACKEND_NAMES])
      .default("auto")
      .describe("TensorFlow.js backend (auto picks the fastest available)"),
    threads: z.number().int().positive().optional().describe("compute threads of the native backend"),
    output: z.string().default("runs").describe("parent folder of run folders"),
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-' only")
      .optional()
      .describe("short name used in the run folder name"),
  })
  .strict();

export class RunConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunConfigError";
  }
}

/** `glue:rte` → `{ name: "glue/rte" }`; any other string → `{ name }`. */
export function expandDataShorthand(data: unknown): unknown {
  if (typeof data !== "string") return data;
  const m = /^glue[:/](.+)$/.exec(data);
  return { name: m ? `glue/${m[1]!.toLowerCase().replace(/[^a-z0-9]/g, "")}` : data };
}

function asSection(
  value: unknown,
  fallbackName: string | null,
  field: string,
  registry: PluginRegistry,
): PluginSection | undefined {
  if (value === undefined) return fallbackName === null ? undefined : { name: fallbackName };
  if (typeof value === "string") {
    if (field === "model") return { name: PLUGIN_SECTIONS.model.default, path: value };
    if (field === "data") return expandDataShorthand(value) as PluginSection;
    return { name: value };
  }
  void registry;
  if (field === "model" && (value as { name?: unknown }).name === undefined)
    return { name: PLUGIN_SECTIONS.model.default, ...(value as object) } as PluginSection;
  return value as PluginSection;
}

/** Checks one section against its plugin's schema; returns the parsed section (defaults filled) or problems. */
export function checkSection(
  registry: PluginRegistry,
  kind: PluginKind,
  field: string,
  section: PluginSection,
  problems: string[],
): PluginSection {
  const known = registry.names(kind);
  if (!registry.has(kind, section.name)) {
    problems.push(
      `${field}.name: expected one of ${known.length ? known.join(", ") : `(no ${kind} registered)`} (got "${section.name}")`,
    );
    return section;
  }
  const def = registry.get(kind, section.name);
  const { name, ...options } = section;
  if (def.options) {
    const r = def.options.safeParse(options, { reportInput: true });
    if (!r.success) {
      problems.push(
        ...formatZodIssues(r.error, def.options)
          .split("; ")
          .map((l) => `${field}.${l}`),
      );
      return section;
    }
    return { name, ...(r.data as Record<string, unknown>) };
  }
  if (def.parse) {
    try {
      def.parse(options);
    } catch (e) {
      problems.push(`${field}.${(e as Error).message}`);
    }
  }
  return section;
}

/**
 * Validates a merged config against the top-level shape and every selected plugin's own
 * schema, and fills in defaults. All problems come back as one RunConfigError, one line per field.
 */
export function resolveRunConfig(raw: Record<string, unknown>, registry: PluginRegistry, source = "config"): RunConfig {
  const fail = (lines: string[]) => new RunConfigError(lines.map((l) => `${source}: ${l}`).join("\n"));
  // HF TrainingArguments' own name for reporters is accepted as written in an HF user's config.
  if (raw.report_to !== undefined) {
    if (raw.reportTo !== undefined) throw fail(["report_to: given together with reportTo; give one"]);
    const { report_to, ...rest } = raw;
    raw = { ...rest, reportTo: typeof report_to === "string" ? [report_to] : report_to };
  }
  const top = runConfigShape.safeParse(raw, { reportInput: true });
  if (!top.success) throw fail(formatZodIssues(top.error).split("; "));
  const t = top.data;
  const problems: string[] = [];
  const training = trainingSchema.safeParse(t.training, { reportInput: true });
  if (!training.success)
    problems.push(
      ...formatZodIssues(training.error)
        .split("; ")
        .map((l) => `training.${l}`),
    );
  const sections: Record<string, PluginSection | undefined> = {};
  for (const [field, spec] of Object.entries(PLUGIN_SECTIONS)) {
    const s = asSection((t as Record<string, unknown>)[field], spec.default, field, registry);
    if (s === undefined) {
      if (field === "data") problems.push(`data: required (a task: glue:<task>, spam-assassin, or { name, ... })`);
      continue;
    }
    sections[field] = s;
  }
  const adapterDef =
    sections.adapter && registry.has("adapter", sections.adapter.name)
      ? registry.get("adapter", sections.adapter.name)
      : undefined;
  const used = new Set(adapterDef?.uses ?? []);
  for (const dep of DEPENDENT_SECTIONS) {
    // A preset's freezing sections must not leak into a baseline chosen with --method.
    if (!used.has(PLUGIN_SECTIONS[dep].kind)) delete sections[dep];
  }
  for (const [field, s] of Object.entries(sections)) {
    if (s)
      sections[field] = checkSection(
        registry,
        PLUGIN_SECTIONS[field as keyof typeof PLUGIN_SECTIONS].kind,
        field,
        s,
        problems,
      );
  }
  const reportTo = t.reportTo.map((r, i) =>
    checkSection(
      registry,
      "reporter",
      `reportTo[${i}]`,
      typeof r === "string" ? { name: r } : (r as PluginSection),
      problems,
    ),
  );
  const plugins = t.plugins.map((p, i) =>
    checkSection(registry, "plugin", `plugins[${i}]`, p as PluginSection, problems),
  );
  if (training.success) {
    const optim = training.data.optim;
    if (!registry.has("optimizer", optim))
      problems.push(`training.optim: expected one of ${registry.names("optimizer").join(", ")} (got "${optim}")`);
    else
      checkSection(registry, "optimizer", "training.optimArgs", { name: optim, ...training.data.optimArgs }, problems);
  }
  if (problems.length) throw fail(problems);
  return {
    model: sections.model!,
    adapter: sections.adapter!,
    ...(sections.scorer ? { scorer: sections.scorer } : {}),
    ...(sections.schedule ? { schedule: sections.schedule } : {}),
    data: sections.data!,
    training: training.data!,
    reportTo,
    plugins,
    imports: t.imports,
    backend: t.backend,
    ...(t.threads !== undefined ? { threads: t.threads } : {}),
    output: t.output,
    ...(t.name !== undefined ? { name: t.name } : {}),
  };
}
