import { serveDashboard } from "@aflora/dashboard";
import { ConfigError } from "../config/config-error.js";

/** `aflora dashboard [runs-dir] [--port P] [--host H]`: the local web app over a runs folder. */
export async function dashboardCommand(
  runsDir: string | undefined,
  flags: { port?: string; host?: string },
): Promise<void> {
  const port = Number(flags.port ?? 6060);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`--port: expected a port number (got "${flags.port}")`);
  await serveDashboard({ runsDir: runsDir ?? "runs", port, host: flags.host ?? "127.0.0.1" });
}
