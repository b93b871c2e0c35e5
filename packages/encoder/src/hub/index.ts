export { resolveModelSource, selectModelFiles, MODEL_FOLDER_CONTENTS, type ModelSource, type ResolveModelSourceOptions } from "./resolve-model-source.js";
export { downloadRepoFiles, readCompleteDownload, COMPLETE_MARKER, type DownloadRepoFilesOptions, type DownloadedRepo, type HubFile } from "./download-repo-files.js";
export { defaultHubCacheDir, defaultHubUrl, offlineByEnvironment, repoCacheFolder, isHubRepoName, DEFAULT_HUB_URL, type HubRepo } from "./hub-repo.js";
export { serveFolderAsHub, type LocalHub, type LocalHubRepos } from "./local-hub-server.js";
