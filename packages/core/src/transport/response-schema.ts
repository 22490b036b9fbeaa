/**
 * What the transport needs from a schema that validates a response body: `safeParse`, as
 * zod 4 (classic and `zod/mini`) and similar libraries have it. A structural type so core
 * has no runtime dependency on a validation library and each SDK picks its own.
 */
export interface ResponseSchema<T> {
  safeParse(data: unknown): ResponseSchemaResult<T>
}

export type ResponseSchemaResult<T> =
  | { readonly success: true; readonly data: T }
  | {
      readonly success: false
      readonly error: {
        readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]
      }
    }
