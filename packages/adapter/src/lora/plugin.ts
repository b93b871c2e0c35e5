import { definePlugin, type AdapterFactory } from "@aflora/core";
import { lowRankFactory } from "../plugin/low-rank-run-adapter.js";
import { loraMethod } from "./method.js";
import { loraOptions } from "./options.js";

export const loraPlugin = definePlugin({
  kind: "adapter",
  name: "lora",
  description: loraMethod.description,
  package: "@aflora/adapter",
  options: loraOptions,
  create: (o): AdapterFactory => lowRankFactory(loraMethod.parse({ ...o, method: "lora" }), false),
});
