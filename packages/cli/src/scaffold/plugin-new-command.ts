import { relative } from "node:path";
import { parsePackageName, type ScaffoldKind } from "./plugin-template.js";
import { scaffoldPlugin } from "./scaffold-plugin.js";

export interface PluginNewFlags {
  kind: ScaffoldKind;
  dir?: string;
  description?: string;
}

/** `aflora plugin new <name> --kind <kind> [--dir D]`: scaffolds the package and says what to do next. */
export function pluginNewCommand(name: string, flags: PluginNewFlags): void {
  const { dir, files } = scaffoldPlugin({
    packageName: name,
    kind: flags.kind,
    ...(flags.dir ? { dir: flags.dir } : {}),
    ...(flags.description ? { description: flags.description } : {}),
  });
  const shown = relative(process.cwd(), dir) || ".";
  const { bare } = parsePackageName(name);
  process.stdout.write(
    [
      `Created ${name} (a ${flags.kind} plugin registered as "${bare}") in ${shown}: ${files.join(", ")}`,
      "",
      "Next:",
      `  cd ${shown}`,
      "  npm install && npm test",
      "  npm run build",
      `  npx aflora plugins --plugin ./${shown === "." ? "" : `${shown}/`}dist/index.js   # lists it with its options`,
      "",
    ].join("\n"),
  );
}
