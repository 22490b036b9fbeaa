import type { PageData } from '@x/core'
import * as z from 'zod/mini'

/** A list page as the server sent it; what it left out is filled from the request by `toPageData`. */
export interface WirePage<T> {
  data: T[]
  total: number | undefined
  page: number | undefined
  perPage: number | undefined
  /** An older server's bare array: everything there is, on one page. */
  bare: boolean
}

const optionalCount = (minimum: number) => z.catch(z.nullish(z.int().check(z.minimum(minimum))), undefined)

/**
 * A list page `{ <items>: [...], total, page, per_page }`. A bare array (what older
 * servers send for transactions) is accepted as one complete page. Call it once per item
 * type, at module load: zod compiles a schema on its first parse, which costs far more
 * than the parse itself. The schema itself is built on that first parse, not at import.
 */
export function pageResponseSchema<T>(itemsKey: string, item: z.ZodMiniType<T>): z.ZodMiniType<WirePage<T>> {
  return z.lazy(() => pageSchema(itemsKey, item))
}

function pageSchema<T>(itemsKey: string, item: z.ZodMiniType<T>): z.ZodMiniType<WirePage<T>> {
  const paged = z.pipe(
    z.looseObject({
      [itemsKey]: z.array(item),
      total: optionalCount(0),
      page: optionalCount(1),
      per_page: optionalCount(1),
    }),
    z.transform(
      (wire): WirePage<T> => ({
        data: wire[itemsKey] as T[],
        total: (wire.total as number | null | undefined) ?? undefined,
        page: (wire.page as number | null | undefined) ?? undefined,
        perPage: (wire.per_page as number | null | undefined) ?? undefined,
        bare: false,
      }),
    ),
  )
  const bare = z.pipe(
    z.array(item),
    z.transform(
      (data): WirePage<T> => ({ data, total: undefined, page: undefined, perPage: undefined, bare: true }),
    ),
  )
  return z.union([paged, bare]) as unknown as z.ZodMiniType<WirePage<T>>
}

/** Fills what the server left out from what was asked for. */
export function toPageData<T>(wire: WirePage<T>, requested: { page: number; perPage: number }): PageData<T> {
  const { data } = wire
  // Without a total, this page is taken as the last: nothing says another one exists.
  const total = wire.total ?? (requested.page - 1) * requested.perPage + data.length
  if (wire.bare) {
    return { data, total, page: requested.page, perPage: Math.max(requested.perPage, data.length) }
  }
  return { data, total, page: wire.page ?? requested.page, perPage: wire.perPage ?? requested.perPage }
}
