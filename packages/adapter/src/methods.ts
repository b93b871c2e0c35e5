import type { AdapterMethod } from "./base/method.js";
import type { Options } from "./base/options.js";
import { afloraMethod } from "./aflora/method.js";
import type { AfloraConfig } from "./aflora/config.js";
import { eloraMethod } from "./elora/method.js";
import type { EloraConfig } from "./elora/config.js";
import { loraMethod } from "./lora/method.js";
import type { LoraConfig } from "./lora/config.js";

/** Every adapter method by name; adding one means one folder and one line here. */
export const ADAPTER_METHODS = {
  lora: loraMethod,
  elora: eloraMethod,
  aflora: afloraMethod,
} as const satisfies { [K in AdapterConfig["method"]]: AdapterMethod<Extract<AdapterConfig, { method: K }>> };

export type AdapterConfig = LoraConfig | EloraConfig | AfloraConfig;
export type AdapterMethodName = AdapterConfig["method"];
export const ADAPTER_METHOD_NAMES = Object.keys(ADAPTER_METHODS) as AdapterMethodName[];

export function adapterMethod(name: unknown): AdapterMethod<AdapterConfig> {
  if (name === undefined || name === null)
    throw new Error(`method: missing (one of ${ADAPTER_METHOD_NAMES.join(", ")})`);
  if (typeof name !== "string" || !Object.prototype.hasOwnProperty.call(ADAPTER_METHODS, name)) {
    throw new Error(
      `method: unknown adapter method ${JSON.stringify(name)} (known: ${ADAPTER_METHOD_NAMES.join(", ")})`,
    );
  }
  return ADAPTER_METHODS[name as AdapterMethodName] as unknown as AdapterMethod<AdapterConfig>;
}

/** Validates `{ method, ...options }` (or an already parsed config) into a typed config. */
export function parseAdapterConfig(options: Options): AdapterConfig {
  if (typeof options !== "object" || options === null)
    throw new Error(`adapter config: expected an object, got ${JSON.stringify(options)}`);
  return adapterMethod(options.method).parse(options);
}
