export {
  resolveModelSource,
  selectModelFiles,
  MODEL_FOLDER_CONTENTS,
  type ModelSource,
  type ResolveModelSourceOptions,
} from "./resolve-model-source.js";
export {
  downloadRepoFiles,
  NotInCacheError,
  PoisonedCacheError,
  type DownloadRepoFilesOptions,
  type DownloadedRepo,
  type HubFile,
} from "./download-repo-files.js";
export {
  defaultHubCacheDir,
  defaultHubUrl,
  offlineByEnvironment,
  repoCacheFolder,
  repoFolderName,
  isHubRepoName,
  DEFAULT_HUB_URL,
  type HubRepo,
} from "./hub-repo.js";
export {
  fetchWithTimeouts,
  resolveTimeouts,
  HubTimeoutError,
  HubNetworkError,
  type HubTimeouts,
} from "./fetch-with-timeouts.js";
export { HubCache, hashFile, type RepoFileInfo } from "./hub-cache.js";
export { fetchRepoSnapshot, HubRequestError, type RepoSnapshot } from "./repo-snapshot.js";
export { contentProblem } from "./content-check.js";
export {
  HubNameError,
  validateRepoName,
  validateRevision,
  validateRepoPath,
  validateCommit,
  validateBlobId,
} from "./validate-hub-names.js";
