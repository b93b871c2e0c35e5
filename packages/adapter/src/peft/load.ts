import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensorsFile, Rng, toFloat32, type SafetensorsFile } from "@aflora/core";
import type { AdaptableModel } from "../base/adaptable-model.js";
import { attach, planAdapter, type AdapterLayout } from "../apply/apply.js";
import type { AppliedAdapter } from "../apply/applied-adapter.js";
import type { Options } from "../base/options.js";
import { isUnderModule } from "../base/targets.js";
import { configFromPeftLora } from "./adapter-config.js";
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, fileKey, PEFT_MODEL_PREFIX } from "./names.js";
import { METADATA_ALSO_SAVED, METADATA_CONFIG, METADATA_FLAGS } from "./save.js";
import { parametersUnder } from "../base/modules-to-save.js";

type Flags = Parameters<AdaptableModel["params"]["restoreFlags"]>[0];

/**
 * Loads an adapter folder onto `model`: one that `saveAdapter` wrote (restored exactly: λ
 * vectors, frozen/trainable flags, the head), or a plain PEFT LoRA folder (PEFT's own or an
 * `exportPeftLora`). Every name and shape is checked against the model before anything is
 * changed; a folder for a different base model is one error and leaves the model as it was.
 */
export async function loadAdapter(model: AdaptableModel, dir: string): Promise<AppliedAdapter> {
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_FILE);
  const peftConfig = await readJson(configPath);
  const file = await readSafetensorsFile(weightsPath);
  const { options, flags, alsoSaved } = adapterOptions(peftConfig, file, configPath, weightsPath);
  let layout: AdapterLayout;
  try {
    layout = planAdapter(model, options, { fromFile: true });
  } catch (e) {
    throw new Error(`${dir}: ${(e as Error).message} (is this adapter for a different base model?)`);
  }
  const owned = new Set([...layout.plan.tensors.map((t) => t.name), ...layout.savedParameters]);
  const modelTensors = [
    ...layout.savedParameters,
    ...parametersUnder(model.params, alsoSaved, owned, `${weightsPath}: metadata "${METADATA_ALSO_SAVED}"`),
  ];
  const names = [...layout.plan.tensors.map((t) => t.name), ...modelTensors];
  checkTensors(model, layout, modelTensors, file, weightsPath);
  // The model's own tensors are overwritten below; keep their values so a failure can put them back.
  const previous = new Map(modelTensors.map((n) => [n, model.params.stateValue(n)]));
  const adapter = attach(model, layout, new Rng(0));
  try {
    for (const name of names) {
      const t = file.tensors.get(fileKey(name))!;
      const value = tf.tensor(toFloat32(t), t.shape);
      model.params.assignState(name, value);
      value.dispose();
    }
    if (flags) {
      model.params.restoreFlags(pick(flags, names, weightsPath));
      for (const t of layout.plan.tensors) adapter.variable(t.name).trainable = model.params.get(t.name).trainable;
    }
  } catch (e) {
    adapter.remove();
    for (const [n, v] of previous) model.params.assignState(n, v);
    throw e;
  } finally {
    tf.dispose([...previous.values()]);
  }
  return adapter;
}

function pick(flags: Flags, names: string[], weightsPath: string): Flags {
  const out: Flags = {};
  for (const n of names) {
    const f = flags[n];
    if (!f || typeof f.trainable !== "boolean")
      throw new Error(`${weightsPath}: metadata "${METADATA_FLAGS}" has no trainable flag for "${n}"`);
    out[n] = f;
  }
  return out;
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new Error(`${path}: cannot read the adapter config (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new Error(`${path}: expected a JSON object`);
  return json as Record<string, unknown>;
}

function adapterOptions(
  peftConfig: Record<string, unknown>,
  file: SafetensorsFile,
  configPath: string,
  weightsPath: string,
): { options: Options; flags: Flags | null; alsoSaved: string[] } {
  const own = file.metadata[METADATA_CONFIG];
  if (own !== undefined) {
    const parse = (key: string, text: string) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        throw new Error(`${weightsPath}: metadata "${key}" is not valid JSON (${(e as Error).message})`);
      }
    };
    const options = parse(METADATA_CONFIG, own) as Options;
    const flagsText = file.metadata[METADATA_FLAGS];
    const alsoText = file.metadata[METADATA_ALSO_SAVED];
    const alsoSaved = alsoText === undefined ? [] : parse(METADATA_ALSO_SAVED, alsoText);
    if (!Array.isArray(alsoSaved) || !alsoSaved.every((m) => typeof m === "string")) {
      throw new Error(`${weightsPath}: metadata "${METADATA_ALSO_SAVED}" is not a list of module names`);
    }
    return { options, flags: flagsText === undefined ? null : (parse(METADATA_FLAGS, flagsText) as Flags), alsoSaved };
  }
  if (peftConfig.peft_type !== "LORA") {
    throw new Error(
      `${configPath}: peft_type: ${JSON.stringify(peftConfig.peft_type)} cannot be read without aflora's metadata (aflora reads PEFT "LORA" folders and ELORA/AFLORA folders it wrote)`,
    );
  }
  const options = configFromPeftLora(peftConfig, configPath);
  // PEFT's sequence-classification model adds "classifier" and "score" to modules_to_save
  // whether the model has them or not: keep the ones the file holds tensors for.
  const keys = [...file.tensors.keys()]
    .filter((k) => k.startsWith(PEFT_MODEL_PREFIX) && !k.includes("lora_"))
    .map((k) => k.slice(PEFT_MODEL_PREFIX.length));
  options.modulesToSave = (options.modulesToSave as string[]).filter((m) => keys.some((k) => isUnderModule(k, m)));
  return { options, flags: null, alsoSaved: [] };
}

function checkTensors(
  model: AdaptableModel,
  layout: AdapterLayout,
  modelTensors: string[],
  file: SafetensorsFile,
  weightsPath: string,
): void {
  const expected = new Map<string, readonly number[]>();
  for (const t of layout.plan.tensors) expected.set(fileKey(t.name), t.stateShape);
  for (const n of modelTensors) expected.set(fileKey(n), model.params.get(n).stateShape);
  for (const [key, shape] of expected) {
    const t = file.tensors.get(key);
    if (!t) throw new Error(`${weightsPath}: tensor "${key}" is missing (the adapter config expects it)`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `${weightsPath}: tensor "${key}" has shape [${t.shape.join(", ")}] but this model needs [${shape.join(", ")}] (adapter for a different base model?)`,
      );
    }
  }
  for (const key of file.tensors.keys()) {
    if (!expected.has(key))
      throw new Error(`${weightsPath}: tensor "${key}" belongs to no adapted module or saved module of this model`);
  }
}
