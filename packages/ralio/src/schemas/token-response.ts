import { z } from 'zod'
import { optionalText } from './wire-types.js'

export const tokenResponseSchema = z
  .looseObject({
    access_token: z.string().min(1),
    token_type: optionalText,
    expires_in: z.number().positive().nullish().catch(undefined),
    refresh_token: optionalText,
    scope: optionalText,
  })
  .transform((wire) => ({
    accessToken: wire.access_token,
    tokenType: wire.token_type ?? 'DPoP',
    // The spec's default when the server leaves it out.
    expiresIn: wire.expires_in ?? 1800,
    refreshToken: wire.refresh_token,
    scope: wire.scope,
  }))

export type TokenResponse = z.output<typeof tokenResponseSchema>
