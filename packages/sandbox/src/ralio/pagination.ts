import { type ValidationIssue, validationError } from './validation-error.js'

export interface Pagination {
  page: number
  perPage: number
}

export const maxPerPage = 200

/** Reads `page` (default 1) and `per_page` (default 50, at most 200); 422 otherwise. */
export function parsePagination(query: (name: string) => string | undefined): Pagination {
  const issues: ValidationIssue[] = []
  const read = (name: string, fallback: number, max?: number): number => {
    const raw = query(name)
    if (raw === undefined) return fallback
    if (!/^\d+$/.test(raw)) {
      issues.push({
        type: 'int_parsing',
        loc: ['query', name],
        msg: 'Input should be a valid integer',
        input: raw,
      })
      return fallback
    }
    const value = Number(raw)
    if (value < 1) {
      issues.push({
        type: 'greater_than_equal',
        loc: ['query', name],
        msg: 'Input should be greater than or equal to 1',
        input: raw,
      })
    } else if (max !== undefined && value > max) {
      issues.push({
        type: 'less_than_equal',
        loc: ['query', name],
        msg: `Input should be less than or equal to ${max}`,
        input: raw,
      })
    }
    return value
  }
  const page = read('page', 1)
  const perPage = read('per_page', 50, maxPerPage)
  if (issues.length > 0) throw validationError(issues)
  return { page, perPage }
}

export function paginate<T>(rows: T[], { page, perPage }: Pagination): T[] {
  return rows.slice((page - 1) * perPage, page * perPage)
}
