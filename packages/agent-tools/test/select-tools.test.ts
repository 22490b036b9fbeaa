import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentTool } from '../src/agent-tool.js'
import { selectTools } from '../src/cli/select-tools.js'
import { UsageError } from '../src/cli/usage-error.js'
import { createAgentTools } from '../src/index.js'
import { type Services, startServices } from './support/services.js'

let services: Services
let all: AgentTool[]
beforeAll(async () => {
  services = await startServices()
  all = createAgentTools({ ralio: services.ralioClient, relynt: services.relyntClient })
})
afterAll(() => services?.close())

const names = (tools: AgentTool[]) => tools.map((tool) => tool.name).sort()

describe('x-mcp tool selection', () => {
  it('serves a guarded tool with the approval check tool, so a pending call can be finished', () => {
    expect(names(selectTools(all, { names: ['ralio_pay'], readOnly: false }))).toEqual([
      'ralio_pay',
      'relynt_check_approval',
    ])
  })

  it('refuses --read-only together with a tool that changes things', () => {
    expect(() => selectTools(all, { names: ['ralio_pay'], readOnly: true })).toThrow(UsageError)
    expect(names(selectTools(all, { names: ['relynt_simulate'], readOnly: true }))).toEqual([
      'relynt_simulate',
    ])
  })
})
