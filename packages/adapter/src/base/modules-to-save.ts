import type { ParameterRegistry } from "@aflora/core";
import { isUnderModule } from "./targets.js";

/**
 * PEFT's `modules_to_save` default for sequence classification: the model's head. Here the
 * head is whatever the model registered in the "head" group, named by its top-level module
 * (`classifier.out_proj.weight` → `classifier`).
 */
export function defaultModulesToSave(params: ParameterRegistry): string[] {
  const names = params.names({ group: "head" }).map((n) => (n.includes(".") ? n.split(".")[0]! : n));
  return [...new Set(names)];
}

/** Registry parameters under the given modules; each module must own at least one. */
export function parametersUnder(
  params: ParameterRegistry,
  modules: readonly string[],
  exclude: ReadonlySet<string>,
  field = "modulesToSave",
): string[] {
  const all = params.names().filter((n) => !exclude.has(n));
  for (const m of modules) {
    if (!all.some((n) => isUnderModule(n, m))) {
      throw new Error(
        `${field}: "${m}" matches no parameter of the model (e.g. ${all.find((n) => n.startsWith("classifier")) ?? all[0] ?? "none"})`,
      );
    }
  }
  return all.filter((n) => modules.some((m) => isUnderModule(n, m)));
}
