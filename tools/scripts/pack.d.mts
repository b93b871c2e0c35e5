export declare const SOURCE_CONDITION: "@aflora/source";
export declare function stripSourceCondition(exportsField: unknown): unknown;
export declare function publishedManifest(pkg: Record<string, unknown>): Record<string, unknown>;
export declare function publicPackages(root?: string): string[];
export interface PackedPackage {
  name: string;
  version: string;
  tarball: string;
  /** Paths inside the tarball (relative to package/). */
  files: string[];
}
export declare function packPackages(options?: { outDir: string; packages?: string[]; root?: string }): PackedPackage[];
