import { type AuthorisationRecord, matchPayments, type PaymentRecord } from '@x/agent-tools'
import { type BenchOptions, type BenchSection, table } from './support/bench-section.ts'
import { figure, formatFigure } from './support/statistics.ts'

const PAYMENTS = 10_000
/** Reconciliation does more than a join (one-to-one content pairing, nearest first, reasons): a few times a bare join. */
const TARGET = 10

interface Records {
  payments: PaymentRecord[]
  authorisations: AuthorisationRecord[]
  /** What each receipt's request hash stands for; each payment's own, to compare with it. */
  authorised: Map<string, string>
  paid: Map<PaymentRecord, string>
}

/**
 * 10 000 payments against 10 000 allowing receipts over 200 payees: half name their receipt in
 * the reference, half pair by content; 1 % are paid around the gateway and 1 % of receipts are
 * never used, so every list of the result is exercised.
 */
function records(): Records {
  const payments: PaymentRecord[] = []
  const authorisations: AuthorisationRecord[] = []
  const authorised = new Map<string, string>()
  const paid = new Map<PaymentRecord, string>()
  const start = Date.parse('2026-05-01T00:00:00Z')
  for (let index = 0; index < PAYMENTS; index++) {
    const payeeKey = `payee-${index % 200}`
    const amount = `${(index % 997) + 1}.00`
    const receiptId = `rec_${index}`
    const authorisedAt = start + index * 1000
    const fingerprint = `${amount}|GBP|${payeeKey}|ref ${index}`
    authorisations.push({ receiptId, authorisedAt, payeeKey })
    authorised.set(receiptId, fingerprint)
    if (index % 100 === 99) continue // allowed, never paid
    const around = index % 100 === 98
    const payment: PaymentRecord = {
      paymentIntentId: `pi_${index}`,
      amount,
      currency: 'GBP',
      payee: payeeKey,
      payeeKey,
      reference: `ref ${index}`,
      paidAt: authorisedAt + 500,
      namedReceiptId: index % 2 === 0 && !around ? receiptId : undefined,
    }
    payments.push(payment)
    paid.set(payment, around ? `${fingerprint} (around the gateway)` : fingerprint)
  }
  return { payments, authorisations, authorised, paid }
}

/**
 * The floor: a plain `Map` join of the same records — receipts by id for the payments that name
 * one, by payee and fingerprint for the rest — counting the pairs that agree.
 */
function mapJoin({ payments, authorisations, authorised, paid }: Records): number {
  const byId = new Map<string, AuthorisationRecord>()
  const byContent = new Map<string, AuthorisationRecord>()
  for (const authorisation of authorisations) {
    byId.set(authorisation.receiptId, authorisation)
    byContent.set(`${authorisation.payeeKey}|${authorised.get(authorisation.receiptId)}`, authorisation)
  }
  let matched = 0
  for (const payment of payments) {
    const fingerprint = paid.get(payment)
    const authorisation =
      payment.namedReceiptId === undefined
        ? byContent.get(`${payment.payeeKey}|${fingerprint}`)
        : byId.get(payment.namedReceiptId)
    if (authorisation !== undefined && authorised.get(authorisation.receiptId) === fingerprint) matched++
  }
  return matched
}

async function reconcile({ payments, authorisations, authorised, paid }: Records): Promise<number> {
  const result = await matchPayments(
    payments,
    authorisations,
    (authorisation, payment) => authorised.get(authorisation.receiptId) === paid.get(payment),
  )
  return result.matched.length
}

async function time(run: () => number | Promise<number>): Promise<number> {
  const started = performance.now()
  await run()
  return performance.now() - started
}

export async function benchReconcilePayments(options: BenchOptions): Promise<BenchSection> {
  const rounds = options.quick ? 5 : 15
  const data = records()
  // Warm both up; the check below also proves the reconciliation is doing the whole job.
  const expected = await reconcile(data)
  mapJoin(data)
  const reconcileMs: number[] = []
  const joinMs: number[] = []
  for (let round = 0; round < rounds; round++) {
    const pair = [
      async () => reconcileMs.push(await time(() => reconcile(data))),
      async () => joinMs.push(await time(() => mapJoin(data))),
    ]
    if (round % 2 === 1) pair.reverse()
    for (const run of pair) await run()
  }
  const ratios = figure(reconcileMs.map((ms, index) => ms / (joinMs[index] as number)))
  const reconciled = figure(reconcileMs)
  const joined = figure(joinMs)
  const met = ratios.median <= TARGET
  const markdown = [
    `Method: ${rounds} rounds after a warm-up, the two sides alternating. ${PAYMENTS.toLocaleString('en')} payments ` +
      `against ${PAYMENTS.toLocaleString('en')} allowing receipts over 200 payees, in memory (no network, no hashing: ` +
      'the request-hash check is a string comparison on both sides). Half the payments name their receipt, half pair ' +
      `by content; ${expected.toLocaleString('en')} match. The floor is a plain \`Map\` join of the same records: ` +
      'receipts by id for the payments that name one, by payee and content for the rest.',
    '',
    table(
      ['', 'ms (range)'],
      [
        [
          '`matchPayments` (what `reconcilePayments` runs once both sides are read)',
          formatFigure(reconciled, 1),
        ],
        ['plain `Map` join', formatFigure(joined, 1)],
      ],
    ),
    '',
    `Reconciling takes ${formatFigure(ratios)}× the plain join, paired round by round.`,
  ].join('\n')
  return {
    title: 'Reconciling payments with receipts',
    markdown,
    targets: [
      {
        name: 'Reconciliation of 10 000 payments against 10 000 receipts vs a plain Map join',
        target: `reconcile/join ≤ ${TARGET.toFixed(2)}`,
        measured: formatFigure(ratios),
        met,
        ...(met
          ? {}
          : {
              note: `missed by ${(ratios.median - TARGET).toFixed(2)}; content pairing sorts each payee's receipts and searches them nearest first, and every line is built with its reason and ISO times`,
            }),
      },
    ],
  }
}
