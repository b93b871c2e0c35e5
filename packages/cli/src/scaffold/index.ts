export {
  SCAFFOLD_KINDS,
  TEMPLATE_VERSIONS,
  parsePackageName,
  pluginTemplate,
  type PluginTemplateOptions,
  type ScaffoldKind,
} from "./plugin-template.js";
export { scaffoldPlugin, type ScaffoldPluginOptions, type ScaffoldResult } from "./scaffold-plugin.js";
export { pluginNewCommand, type PluginNewFlags } from "./plugin-new-command.js";
