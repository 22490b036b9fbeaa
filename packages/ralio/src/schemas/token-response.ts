import * as z from 'zod/mini'
import { optionalText } from './wire-types.js'

export const tokenResponseSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      access_token: z.string().check(z.minLength(1)),
      token_type: optionalText,
      expires_in: z.catch(z.nullish(z.number().check(z.positive())), undefined),
      refresh_token: optionalText,
      scope: optionalText,
    }),
    z.transform((wire) => ({
      accessToken: wire.access_token,
      tokenType: wire.token_type ?? 'DPoP',
      // The spec's default when the server leaves it out.
      expiresIn: wire.expires_in ?? 1800,
      refreshToken: wire.refresh_token,
      scope: wire.scope,
    })),
  ),
)

export type TokenResponse = z.output<typeof tokenResponseSchema>
