// Kept equal to package.json's version when versions are bumped.
/** This package's version. */
export const VERSION = '0.0.0'
