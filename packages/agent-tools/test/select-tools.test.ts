import { describe, expect, it } from 'vitest'
import { selectTools } from '../src/cli/select-tools.js'
import { UsageError } from '../src/cli/usage-error.js'
import { READ_ONLY_AGENT_TOOL_NAMES } from '../src/index.js'

describe('x-mcp tool selection', () => {
  it('asks for the named tools (the check tool comes with a guarded one), or the default set', () => {
    expect(selectTools({ names: ['ralio_pay', 'relynt_check_approval'], readOnly: false })).toEqual([
      'ralio_pay',
    ])
    expect(selectTools({ names: undefined, readOnly: false })).toBeUndefined()
  })

  it('serves only read-only tools with --read-only, and refuses one that changes things', () => {
    expect(selectTools({ names: undefined, readOnly: true })).toEqual(READ_ONLY_AGENT_TOOL_NAMES)
    expect(() => selectTools({ names: ['ralio_pay'], readOnly: true })).toThrow(UsageError)
    expect(() => selectTools({ names: ['ralio_wire'], readOnly: false })).toThrow(/no tool "ralio_wire"/)
  })
})
