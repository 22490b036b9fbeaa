import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

/** What a tool call came back with, as the server's structured content. */
export type Outcome = Record<string, unknown> & { status: string }

export interface SessionResult {
  tools: string[]
  allowed: Outcome
  approved: Outcome
  denied: Outcome
  deniedIsError: boolean
  progressMessages: string[]
  receipt: Outcome
  paymentIntents: Outcome
}

/** Where npm puts the `x-mcp` command of @x/agent-tools. */
function xMcpPath(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@x/agent-tools/package.json')), 'bin', 'x-mcp.js')
}

/**
 * What an MCP host does with `x-mcp --sandbox`, scripted with the MCP SDK's own client:
 * list the tools, pay a small invoice (allowed), a large one (a person approves while the tool
 * waits), one to a blocked payee (denied), then verify a receipt and list what Ralio holds.
 */
export async function runSession(log: (line: string) => void): Promise<SessionResult> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [xMcpPath(), '--sandbox'],
    stderr: 'pipe',
  })
  // x-mcp prints the sandbox's Relynt URL and admin token on stderr; this session approves through its admin API.
  const relyntAdmin = new Promise<RelyntAdmin>((resolve) => {
    let stderr = ''
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
      const url = /Relynt (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1]
      const token = /Authorization: Bearer ([^'\s]+)/.exec(stderr)?.[1]
      if (url && token) resolve({ url, token })
    })
  })
  const client = new Client({ name: 'mcp-server-example', version: '1.0.0' })
  await client.connect(transport)
  try {
    const { tools } = await client.listTools()
    log(`tools: ${tools.map((tool) => tool.name).join(', ')}`)

    const call = async (
      name: string,
      args: Record<string, unknown>,
      onprogress?: (message: string) => void,
    ) => {
      const result = (await client.callTool({ name, arguments: args }, undefined, {
        onprogress: onprogress ? (progress) => onprogress(progress.message ?? '') : undefined,
      })) as CallToolResult
      const outcome = result.structuredContent as Outcome
      log(`${name} → ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`)
      return { outcome, isError: result.isError === true }
    }

    const allowed = await call('ralio_pay', {
      amount: '120.00',
      currency: 'GBP',
      payee: 'Acme Stationery',
      reference: 'office supplies',
    })

    const progressMessages: string[] = []
    let approving: Promise<void> | undefined
    const approved = await call(
      'ralio_pay',
      {
        amount: '4800.00',
        currency: 'GBP',
        payee: 'Northwind Logistics',
        reference: 'the April freight invoice',
      },
      (message) => {
        progressMessages.push(message)
        log(`  progress: ${message}`)
        const approvalId = /approval (\S+)\)/.exec(message)?.[1]
        if (approvalId && approving === undefined) approving = approve(relyntAdmin, approvalId)
      },
    )
    await approving

    const denied = await call('ralio_pay', {
      amount: '950.00',
      currency: 'GBP',
      payee: 'Globex Holdings',
      reference: 'consulting retainer',
    })
    const receipt = await call('relynt_verify_receipt', { receiptId: approved.outcome.receiptId })
    const paymentIntents = await call('ralio_list_payment_intents', { perPage: 10 })

    return {
      tools: tools.map((tool) => tool.name),
      allowed: allowed.outcome,
      approved: approved.outcome,
      denied: denied.outcome,
      deniedIsError: denied.isError,
      progressMessages,
      receipt: receipt.outcome,
      paymentIntents: paymentIntents.outcome,
    }
  } finally {
    await client.close()
  }
}

/** A finance lead clicking "Approve": here, the sandbox's admin API. A real gateway asks in Slack. */
interface RelyntAdmin {
  url: string
  token: string
}

async function approve(relyntAdmin: Promise<RelyntAdmin>, approvalId: string): Promise<void> {
  const { url: relyntUrl, token } = await relyntAdmin
  const url = new URL(`/__admin/approvals/${encodeURIComponent(approvalId)}/approve`, relyntUrl)
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ approver: 'slack:finance-lead' }),
  })
  if (!response.ok) throw new Error(`approving ${approvalId} failed: HTTP ${response.status}`)
}
