const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * Makes an object that holds secrets print only `view()`: in `util.inspect`/`console.log`
 * (Node, Bun, Deno honour the custom inspect symbol) and in `JSON.stringify`.
 */
export function inspectable<T extends object>(target: T, view: () => Record<string, unknown>): T {
  const label = target.constructor?.name ?? 'Object'
  Object.defineProperties(target, {
    [inspectSymbol]: {
      value: (_depth: number, options: unknown, inspect?: (value: unknown, options: unknown) => string) =>
        inspect ? `${label} ${inspect(view(), options)}` : { [label]: view() },
      enumerable: false,
      configurable: true,
    },
    toJSON: { value: view, enumerable: false, configurable: true },
  })
  return target
}
