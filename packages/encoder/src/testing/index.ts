export { serveFolderAsHub, type LocalHub, type LocalHubOptions, type LocalHubRepos } from "./local-hub-server.js";
