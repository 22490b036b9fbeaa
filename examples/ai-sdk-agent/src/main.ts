import { createOpenAI } from '@ai-sdk/openai'
import type { LanguageModel } from 'ai'
import { runAgent } from './agent.js'
import { scriptedModel } from './scripted-model.js'

// A real model only when its key is in the environment; otherwise the scripted one, offline.
const model: LanguageModel = process.env.OPENAI_API_KEY
  ? createOpenAI()(process.env.OPENAI_MODEL ?? 'gpt-4.1-mini')
  : scriptedModel()
console.log(
  process.env.OPENAI_API_KEY ? 'Model: OpenAI' : 'Model: scripted (set OPENAI_API_KEY for a real one)',
)
await runAgent(model, (line) => console.log(line))
