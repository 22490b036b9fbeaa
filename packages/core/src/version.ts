// Kept equal to package.json's version by scripts/sync-versions.mjs (run by `pnpm version-packages`);
// a test fails if they drift.
/** This package's version, as published. */
export const VERSION = '0.0.0'
