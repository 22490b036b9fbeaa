/** Removes undefined members, so results print, serialise and compare cleanly. */
export function definedOnly<T extends object>(value: T): T {
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (record[key] === undefined) delete record[key]
  }
  return value
}
