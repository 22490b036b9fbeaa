// Kept equal to package.json's version when versions are bumped.
export const VERSION = '0.0.0'
