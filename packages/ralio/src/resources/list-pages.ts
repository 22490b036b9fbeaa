import { type PagePromise, pagePromise } from '@x/core'
import { callOptions, type ResponseSchema, type Transport } from '@x/core/internal'
import { toPageData, type WirePage } from '../schemas/page-response.js'
import { checkListParams, type ListParams } from './list-params.js'

/**
 * A paginated GET as a PagePromise: `await` for one page, `for await` for every item,
 * `.withResponse()` for the first page with its raw response. The
 * page schema is built once by the caller (see pageResponseSchema).
 */
export function listPages<T>(
  transport: Transport,
  path: string,
  pageSchema: ResponseSchema<WirePage<T>>,
  params: ListParams,
): PagePromise<T> {
  const { page: firstPage, perPage } = checkListParams(params)
  return pagePromise(
    (page) =>
      transport
        .requestWithResponse({
          method: 'GET',
          path,
          query: { page, per_page: perPage, agent_id: params.agentId },
          schema: pageSchema,
          ...callOptions(params),
        })
        .then(({ data, response }) => ({ ...toPageData(data, { page, perPage }), response })),
    firstPage,
  )
}
