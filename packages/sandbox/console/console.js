// The approvals console. Everything it shows came from an agent that may be prompt-injected,
// so the DOM is built with textContent only: no markup is ever parsed from data.

const pollIntervalMs = 1000
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? ''
const byId = (id) => document.getElementById(id)
const pendingCards = new Map()
let lastRendered = ''

// Control, bidirectional and zero-width characters become visible escapes, so a resource
// or payload cannot hide or reorder what the approver reads.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const invisible = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu
function visible(value) {
  return String(value).replace(invisible, (character) => `\\u{${character.codePointAt(0).toString(16)}}`)
}

function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'text') node.textContent = visible(value)
    else if (name === 'className') node.className = value
    else node.setAttribute(name, value)
  }
  node.append(...children)
  return node
}

function setStatus(text, isError = false) {
  const status = byId('status')
  status.textContent = text
  status.classList.toggle('error', isError)
}

async function send(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
  })
  const answer = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`)
  return answer
}

function pendingCard(approval) {
  const titleId = `title-${approval.approval_id}`
  const reason = element('input', { name: 'reason', maxlength: '500', autocomplete: 'off' })
  const approve = element('button', { type: 'button', className: 'approve', text: 'Approve' })
  const deny = element('button', { type: 'button', className: 'deny', text: 'Deny' })
  const decide = async (decision) => {
    approve.disabled = true
    deny.disabled = true
    try {
      const state = await send(
        `/__console/api/approvals/${encodeURIComponent(approval.approval_id)}/${decision}`,
        {
          approver: byId('approver').value,
          reason: reason.value,
        },
      )
      setStatus(`${decision === 'approve' ? 'Approved' : 'Denied'} ${visible(approval.approval_id)}`)
      render(state)
    } catch (error) {
      setStatus(`Could not ${decision} ${visible(approval.approval_id)}: ${visible(error.message)}`, true)
      approve.disabled = false
      deny.disabled = false
    }
  }
  approve.addEventListener('click', () => decide('approve'))
  deny.addEventListener('click', () => decide('deny'))

  const rows = [
    ['Approval', approval.approval_id],
    ['Agent', `${approval.agent_name} (${approval.agent_id})`],
    ['Instance', approval.instance_id],
    ['Action', approval.action],
    ['Resource', approval.resource],
    ['Risk', approval.risk_level],
    ['Policy says', approval.policy_reason],
    ['Expires', approval.expires_at],
  ]
  return element(
    'article',
    {
      className: `approval risk-${approval.risk_level}`,
      'aria-labelledby': titleId,
      'data-approval-id': approval.approval_id,
    },
    [
      element('h3', { id: titleId, text: `${approval.action} on ${approval.resource}` }),
      element(
        'dl',
        {},
        rows.flatMap(([term, value]) => [element('dt', { text: term }), element('dd', { text: value })]),
      ),
      element('p', { className: 'hint', text: 'Payload' }),
      element('pre', { text: JSON.stringify(approval.payload, null, 2) }),
      element('div', { className: 'actions' }, [
        element('label', {}, ['Reason (optional)', reason]),
        approve,
        deny,
      ]),
    ],
  )
}

function renderPending(pending) {
  const list = byId('pending')
  const ids = new Set(pending.map((approval) => approval.approval_id))
  for (const [id, card] of pendingCards) {
    if (!ids.has(id)) {
      card.remove()
      pendingCards.delete(id)
    }
  }
  // Kept cards keep what the person typed; only new approvals get a new card.
  for (const approval of pending) {
    if (!pendingCards.has(approval.approval_id)) {
      const card = pendingCard(approval)
      pendingCards.set(approval.approval_id, card)
      list.append(card)
    }
  }
  byId('pending-empty').hidden = pending.length > 0
}

function renderTable(id, columns, rows) {
  const table = byId(id)
  const head = element('thead', {}, [
    element(
      'tr',
      {},
      columns.map(([title]) => element('th', { text: title })),
    ),
  ])
  const body = element(
    'tbody',
    {},
    rows.length === 0
      ? [
          element('tr', {}, [
            element('td', { colspan: String(columns.length), className: 'empty', text: 'None yet.' }),
          ]),
        ]
      : rows.map((row) =>
          element(
            'tr',
            {},
            columns.map(([, cell]) => cell(row)),
          ),
        ),
  )
  table.replaceChildren(head, body)
}

const text = (read) => (row) => element('td', { text: read(row) ?? '' })

function render(state) {
  renderPending(state.pending)
  const serialized = JSON.stringify([state.decided, state.receipts, state.ralio])
  if (serialized === lastRendered) return
  lastRendered = serialized
  renderTable(
    'decided',
    [
      ['Approval', text((row) => row.approval_id)],
      ['Status', text((row) => row.status)],
      ['By', text((row) => row.decided_by)],
      ['Reason', text((row) => row.decision_reason ?? row.error?.message)],
      ['Action', text((row) => row.action)],
      ['Resource', text((row) => row.resource)],
      ['Agent', text((row) => row.agent_name)],
      ['At', text((row) => row.decided_at)],
    ],
    state.decided,
  )
  renderTable(
    'receipts',
    [
      ['Receipt', text((row) => row.receipt_id)],
      ['Decision', text((row) => row.decision)],
      ['Action', text((row) => row.action)],
      ['Resource', text((row) => row.resource)],
      ['Risk', text((row) => row.risk_level)],
      ['Reason', text((row) => row.reason)],
      [
        'Signature',
        (row) =>
          element('td', {
            className: row.valid ? 'valid' : 'invalid',
            text: row.valid ? 'verified' : 'does not verify',
          }),
      ],
      ['At', text((row) => row.created_at)],
    ],
    state.receipts,
  )
  byId('ralio').hidden = state.ralio === null
  if (state.ralio !== null) {
    renderTable(
      'payment-intents',
      [
        ['Intent', text((row) => row.id)],
        ['Approval', text((row) => row.approval_status)],
        ['Execution', text((row) => row.execution_status)],
        ['Amount', text((row) => `${row.total_amount ?? ''} ${row.currency ?? ''}`)],
        ['Payees', text((row) => (row.instructions ?? []).map((leg) => leg.creditor_name).join(', '))],
        ['References', text((row) => (row.instructions ?? []).map((leg) => leg.reference ?? '—').join(', '))],
        ['Agent', text((row) => row.agent_name)],
        ['Created', text((row) => row.created_at)],
      ],
      state.ralio.payment_intents,
    )
    renderTable(
      'transactions',
      [
        ['Transaction', text((row) => row.id)],
        ['Status', text((row) => row.status)],
        ['Amount', text((row) => `${row.amount ?? ''} ${row.currency ?? ''}`)],
        ['Payee', text((row) => row.creditor?.name ?? row.creditor)],
        ['Reference', text((row) => row.reference)],
        ['Intent', text((row) => row.payment_intent_id)],
        ['Date', text((row) => row.date)],
      ],
      state.ralio.transactions,
    )
  }
}

async function poll() {
  try {
    const response = await fetch('/__console/api/state', { credentials: 'same-origin' })
    if (response.status === 401) {
      byId('content').hidden = true
      setStatus(
        'Not signed in. Open the login link x-sandbox printed ("approve in your browser"); each link works once — `x-sandbox console` prints a new one.',
        true,
      )
      return
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    render(await response.json())
    byId('content').hidden = false
    if (byId('status').classList.contains('error') === false)
      setStatus(`Live · updated ${new Date().toLocaleTimeString()}`)
  } catch (error) {
    setStatus(`The sandbox did not answer (${visible(error.message)}); retrying…`, true)
  }
  setTimeout(poll, pollIntervalMs)
}

poll()
