// Types of cli-bundle.mjs for the TypeScript that imports it (its tests).
export interface BundleManifest {
  format: number;
  /** The build's folder, relative to the cache folder. */
  dir: string;
  builtAt: string;
  /** Source path relative to the checkout → "mtimeMs:size" when the bundle was built. */
  files: Record<string, string | null>;
}
export const BUILD_FORMAT: number;
export function cacheDir(env?: NodeJS.ProcessEnv): string;
export function isFresh(manifest: unknown, cache: string, root?: string): manifest is BundleManifest;
export function readManifest(cache: string): BundleManifest | null;
export function buildBundle(cache: string): Promise<BundleManifest>;
export function analyzeBundle(env?: NodeJS.ProcessEnv): Promise<string | null>;
