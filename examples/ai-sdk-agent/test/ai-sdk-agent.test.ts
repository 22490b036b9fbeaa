import { expect, it } from 'vitest'
import { runAgent } from '../src/agent.js'
import { scriptedModel } from '../src/scripted-model.js'

it('pays the allowed invoice, the approved one after waiting, and never the denied one', async () => {
  const lines: string[] = []
  const run = await runAgent(scriptedModel(), (line) => lines.push(line))

  expect(run.outcomes.map((outcome) => outcome.status)).toEqual(['paid', 'paid', 'denied'])
  expect(run.outcomes[1]).toMatchObject({ approvedBy: 'slack:finance-lead' })
  expect(run.paidAmounts.sort()).toEqual(['120.00', '4800.00'])
  expect(run.text).toBe(
    'Payments handled. Acme Stationery: paid; Northwind Logistics: paid; Globex Holdings: denied.',
  )
  expect(lines.some((line) => /call_pay_2\): Waiting for a person to approve/.test(line))).toBe(true)
})
