import type { PageData } from '@x/core'
import { z } from 'zod'

/**
 * A list page `{ <items>: [...], total, page, per_page }`. A bare array (what older
 * servers send for transactions) is accepted as one complete page.
 */
export function pageResponseSchema<T>(
  itemsKey: string,
  item: z.ZodType<T>,
  requested: { page: number; perPage: number },
): z.ZodType<PageData<T>> {
  const paged = z
    .looseObject({
      [itemsKey]: z.array(item),
      total: z.number().int().nonnegative().nullish().catch(undefined),
      page: z.number().int().positive().nullish().catch(undefined),
      per_page: z.number().int().positive().nullish().catch(undefined),
    })
    .transform((wire) => {
      const data = wire[itemsKey] as T[]
      return {
        data,
        total:
          (wire.total as number | null | undefined) ?? (requested.page - 1) * requested.perPage + data.length,
        page: (wire.page as number | null | undefined) ?? requested.page,
        perPage: (wire.per_page as number | null | undefined) ?? requested.perPage,
      }
    })
  const bare = z.array(item).transform((data) => ({
    data,
    // Old servers don't paginate: this array is everything, so no further page exists.
    total: (requested.page - 1) * requested.perPage + data.length,
    page: requested.page,
    perPage: Math.max(requested.perPage, data.length),
  }))
  return z.union([paged, bare]) as unknown as z.ZodType<PageData<T>>
}
