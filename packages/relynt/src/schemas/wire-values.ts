import * as z from 'zod/mini'

/**
 * Open string unions: the documented values autocomplete, and a value a newer gateway
 * introduces still parses instead of breaking a released client.
 */
export type Decision = 'allow' | 'deny' | 'pending_approval' | (string & {})
/** How risky the matching policy rule says the action is. */
export type RiskLevel = 'low' | 'medium' | 'high' | (string & {})
/** Where an approval stands: waiting for a person (`pending`, or `pending_approval`), decided, or expired. */
export type ApprovalStatus =
  | 'pending'
  | 'pending_approval'
  | 'approved'
  | 'denied'
  | 'expired'
  | (string & {})
/** The decision a receipt records; `error` when the gateway failed to decide. */
export type ReceiptDecision = 'allow' | 'deny' | 'pending_approval' | 'error' | (string & {})

/** Ids are opaque: docs show `rec_…` and UUIDs, and a gateway sending a number is tolerated. */
export const idSchema = z.lazy(() =>
  z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform(String)),
)

/** A field that is informational only: absent, null or malformed all read as undefined. */
export const optionalText = z.lazy(() =>
  z.catch(
    z.pipe(
      z.nullish(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
      z.transform((value) => value ?? undefined),
    ),
    undefined,
  ),
)
