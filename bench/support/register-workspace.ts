import { registerHooks } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ownerDirectory } from './workspace.ts'

// Loaded with `node --import`: bare imports the repository root cannot resolve are
// resolved again from the workspace package that declares them.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context)
    } catch (error) {
      const directory = ownerDirectory(specifier)
      if (directory === undefined) throw error
      return nextResolve(specifier, {
        ...context,
        parentURL: pathToFileURL(join(directory, 'package.json')).href,
      })
    }
  },
})
