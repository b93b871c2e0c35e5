import { resolve } from "node:path";
import { startDashboard, type Dashboard, type DashboardOptions } from "./server.js";

export interface ServeOptions extends DashboardOptions {
  /** Where the start lines go (default: stdout). */
  write?: (line: string) => void;
  /** Closes the dashboard when aborted; without one, SIGINT and SIGTERM close it. */
  signal?: AbortSignal;
}

/**
 * `aflora dashboard [runs-dir] [--port P] [--host H]`: starts the dashboard, prints its URL (and
 * the access token when one is required), and closes it on Ctrl-C. Resolves once it is listening.
 */
export async function serveDashboard(options: ServeOptions): Promise<Dashboard> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dash = await startDashboard(options);
  write(`aflora dashboard: ${dash.url}  (runs: ${resolve(options.runsDir)})`);
  if (dash.token) {
    write(`access token: ${dash.token}`);
    write("Every request must carry it (the URL above sets it in the browser); anyone with it can read these runs.");
  }
  const close = () => void dash.close();
  if (options.signal) options.signal.addEventListener("abort", close, { once: true });
  else {
    process.once("SIGINT", close);
    process.once("SIGTERM", close);
  }
  return dash;
}
