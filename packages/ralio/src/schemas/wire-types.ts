import * as z from 'zod/mini'

/** An optional text field: absent and `null` both read as `undefined`. */
export const optionalText = z.lazy(() =>
  z.pipe(
    z.catch(z.nullish(z.string()), undefined),
    z.transform((value) => value ?? undefined),
  ),
)

/**
 * A money amount, kept as the decimal string the server sent. A number (a server
 * that forgot to quote it) is turned back into text rather than used as a float.
 */
export const decimalString = z.lazy(() =>
  z.pipe(
    z.catch(
      z.nullish(
        z.union([
          z.string(),
          z.pipe(
            z.number(),
            z.transform((value) => String(value)),
          ),
        ]),
      ),
      undefined,
    ),
    z.transform((value) => value ?? undefined),
  ),
)

export const optionalNumber = z.lazy(() =>
  z.pipe(
    z.catch(z.nullish(z.number()), undefined),
    z.transform((value) => value ?? undefined),
  ),
)

/** An enum-like string: known values are listed for editors, unknown ones pass through. */
export type OpenString<Known extends string> = Known | (string & {})
