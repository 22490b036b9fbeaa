import { z } from 'zod'

/**
 * Open string unions: the documented values autocomplete, and a value a newer gateway
 * introduces still parses instead of breaking a released client.
 */
export type Decision = 'allow' | 'deny' | 'pending_approval' | (string & {})
export type RiskLevel = 'low' | 'medium' | 'high' | (string & {})
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | (string & {})
export type ReceiptDecision = 'allow' | 'deny' | 'pending_approval' | 'error' | (string & {})

/** Ids are opaque: docs show `rec_…` and UUIDs, and a gateway sending a number is tolerated. */
export const idSchema = z.union([z.string().min(1), z.number()]).transform(String)

/** A field that is informational only: absent, null or malformed all read as undefined. */
export const optionalText = z
  .union([z.string(), z.number()])
  .transform(String)
  .nullish()
  .transform((value) => value ?? undefined)
  .catch(undefined)
