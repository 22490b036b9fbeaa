import { z } from 'zod'

/** An optional text field: absent and `null` both read as `undefined`. */
export const optionalText = z
  .string()
  .nullish()
  .catch(undefined)
  .transform((value) => value ?? undefined)

/**
 * A money amount, kept as the decimal string the server sent. A number (a server
 * that forgot to quote it) is turned back into text rather than used as a float.
 */
export const decimalString = z
  .union([z.string(), z.number().transform((value) => String(value))])
  .nullish()
  .catch(undefined)
  .transform((value) => value ?? undefined)

export const optionalNumber = z
  .number()
  .nullish()
  .catch(undefined)
  .transform((value) => value ?? undefined)

/** An enum-like string: known values are listed for editors, unknown ones pass through. */
export type OpenString<Known extends string> = Known | (string & {})
