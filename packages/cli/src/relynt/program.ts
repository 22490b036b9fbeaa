import type { ProgramSpec } from '../cli/command-spec.js'
export const relyntProgram = {} as ProgramSpec
