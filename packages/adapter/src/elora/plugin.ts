import { definePlugin, type AdapterFactory } from "@aflora/core";
import { lowRankFactory } from "../plugin/low-rank-run-adapter.js";
import { eloraMethod } from "./method.js";
import { eloraOptions } from "./options.js";

export const eloraPlugin = definePlugin({
  kind: "adapter",
  name: "elora",
  description: eloraMethod.description,
  package: "@aflora/adapter",
  options: eloraOptions,
  create: (o): AdapterFactory => lowRankFactory(eloraMethod.parse({ ...o, method: "elora" }), false),
});
