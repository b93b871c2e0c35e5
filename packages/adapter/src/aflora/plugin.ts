import { definePlugin, type AdapterFactory } from "@aflora/core";
import { lowRankFactory } from "../plugin/low-rank-run-adapter.js";
import { afloraMethod } from "./method.js";
import { afloraOptions } from "./options.js";

/** AFLoRA's projection matrices are frozen during training by the freezing plugin, from the run's scorer and schedule. */
export const afloraPlugin = definePlugin({
  kind: "adapter",
  name: "aflora",
  description: afloraMethod.description,
  package: "@aflora/adapter",
  options: afloraOptions,
  uses: ["scorer", "schedule"],
  create: (o): AdapterFactory => lowRankFactory(afloraMethod.parse({ ...o, method: "aflora" }), true),
});
