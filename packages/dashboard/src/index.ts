// The dashboard server over run folders, and serveDashboard, its command-line front end.
export { DEFAULT_PORT, startDashboard, type Dashboard, type DashboardOptions } from "./server.js";
export { serveDashboard, type ServeOptions } from "./serve.js";

// Series downsampling for the charts.
export { downsample } from "./downsample.js";
