/** Options of the `SdkError` constructor. */
export interface SdkErrorOptions {
  /** Stable, machine-readable code (see `ErrorCode` for the ones every SDK shares). */
  code?: string
  /** The option or argument at fault (`baseUrl`, `perPage`, `receiptId`), when one is. */
  param?: string
  /**
   * What to do, in the SDK's terms, as the message's last sentence(s) says it: tools that
   * word errors their own way (a CLI naming its flags) replace it instead of parsing text.
   */
  hint?: string
  cause?: unknown
}

type BrandedClass = { readonly brand: symbol; prototype: unknown }

/**
 * Base of every error the SDKs throw.
 *
 * `instanceof` breaks when two copies of a package are installed (one under each SDK), so
 * each class declares a `Symbol.for` brand and `isInstance` checks the brand instead. The
 * constructor stamps every brand up the class chain on the instance, so a subclass only
 * has to declare its own:
 *
 * ```ts
 * class RalioError extends SdkError {
 *   static override readonly brand: symbol = Symbol.for('x.error.RalioError')
 * }
 * ```
 */
export class SdkError extends Error {
  static readonly brand: symbol = Symbol.for('x.error.SdkError')

  readonly code: string
  /** The option or argument at fault, when one is. */
  readonly param: string | undefined
  /** What to do, in the SDK's terms; the message ends with it. */
  readonly hint: string | undefined

  constructor(message: string, options: SdkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code ?? 'sdk_error'
    this.param = options.param
    this.hint = options.hint
    let name: string | undefined
    for (
      let current = new.target as unknown as BrandedClass | null;
      current && current !== (Error as unknown);
      current = Object.getPrototypeOf(current) as BrandedClass | null
    ) {
      if (!Object.hasOwn(current, 'brand')) continue
      Object.defineProperty(this, current.brand, { value: true })
      // The name comes from the brand, not the class, so minified bundles still say `RalioAuthError`.
      name ??= current.brand.description?.split('.').pop()
    }
    Object.defineProperty(this, 'name', { value: name ?? 'SdkError', enumerable: false, configurable: true })
  }

  /** True when `value` is an instance of this class, even from another installed copy. */
  static isInstance<C extends abstract new (...args: never[]) => SdkError>(
    this: C & { readonly brand: symbol },
    value: unknown,
  ): value is InstanceType<C> {
    return (
      // biome-ignore lint/complexity/noThisInStatic: `this` is the class isInstance was called on, so its own brand is checked.
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[this.brand] === true
    )
  }

  /** The error as JSON for logs: name, code and message (never a secret; subclasses add their safe fields). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.param !== undefined && { param: this.param }),
      ...(this.hint !== undefined && { hint: this.hint }),
    }
  }

  /** The message without its `hint`: what happened, for a caller that says what to do its own way. */
  get summary(): string {
    const hint = this.hint
    if (hint === undefined || !this.message.endsWith(hint)) return this.message
    return this.message.slice(0, this.message.length - hint.length).replace(/[\s;:,.]+$/, '')
  }
}
