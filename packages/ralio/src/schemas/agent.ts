import * as z from 'zod/mini'
import { optionalText } from './wire-types.js'

export const agentSchema = z.lazy(() =>
  z.pipe(
    z.looseObject({
      id: z.string(),
      name: optionalText,
      agent_number: z.catch(z.nullish(z.union([z.string(), z.number()])), undefined),
      banking_provider: optionalText,
      created_at: optionalText,
    }),
    z.transform((wire) => ({
      id: wire.id,
      name: wire.name,
      agentNumber: wire.agent_number ?? undefined,
      bankingProvider: wire.banking_provider,
      createdAt: wire.created_at,
    })),
  ),
)

/**
 * An agent the binding may talk to.
 * @useDeclaredType
 */
export type Agent = z.output<typeof agentSchema>

export const agentListSchema = z.lazy(() => z.array(agentSchema))
