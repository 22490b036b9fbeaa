import * as z from 'zod/mini'
import { optionalText } from './wire-types.js'

/** `client_id` is optional here: an old server answers 202 with a `poll_token` instead. */
export const registrationResponseSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({ client_id: optionalText, fingerprint: optionalText }),
    z.transform((wire) => ({ clientId: wire.client_id, fingerprint: wire.fingerprint })),
  ),
)
