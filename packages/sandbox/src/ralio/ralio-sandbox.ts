import type { FaultRule } from '../shared/fault-injector.js'
import type { NonceModeOptions } from './nonce-manager.js'
import type { RalioSandboxStats } from './ralio-sandbox-stats.js'
import type { RalioSettings } from './ralio-state.js'
import type { MintedTicket, MintTicketOptions } from './ticket-store.js'

/** An agent of the Ralio sandbox, as `agents` lists it. */
export interface RalioSandboxAgent {
  id: string
  name: string
  agentNumber: string
  currency: string
}

/** A running Ralio sandbox: its address and the owner-side controls tests use. */
export interface RalioSandbox {
  /**
   * Origin, e.g. `http://127.0.0.1:53211`; use it as the SDK's base URL. With
   * `listen: false`, `https://ralio.sandbox.invalid`, reachable only through `fetch`.
   */
  readonly url: string
  /** What `/__admin` requires over HTTP: `Authorization: Bearer <adminToken>`. This handle needs none. */
  readonly adminToken: string
  /**
   * The sandbox's request handler as a `fetch` function: pass it as the SDK's `fetch`
   * option (with `url` as the base URL) and requests are answered in this process, with
   * no socket. Injected faults apply: `dropConnection` rejects like a network error, and
   * `cutStreamAfterEvents` errors the body.
   */
  readonly fetch: typeof globalThis.fetch
  /** Stops the server (and open streams); state is dropped. */
  close(): Promise<void>
  readonly agents: readonly RalioSandboxAgent[]
  /** A one-time registration ticket, as the owner would mint in the console. */
  mintTicket(options?: MintTicketOptions): MintedTicket
  /** Approves a `pending_user_approval` intent and executes it; throws for any other state. */
  approvePaymentIntent(id: string): void
  /** Rejects a `pending_user_approval` intent; throws for any other state. */
  rejectPaymentIntent(id: string, reason?: string): void
  /** Every payment intent in wire form, newest first. */
  listPaymentIntents(): Record<string, unknown>[]
  /** Every transaction in wire form, as `GET /v1/transactions` lists them. */
  listTransactions(): Record<string, unknown>[]
  /** Makes matching requests fail (see `FaultRule`); returns the rule's id. */
  injectFault(rule: FaultRule): string
  /** Removes every injected fault. */
  clearFaults(): void
  /** Moves the server clock (positive: the server is ahead of the client). */
  setClockOffset(ms: number): void
  /** Turns DPoP nonces on or off from now on. */
  setNonceMode(options: NonceModeOptions): void
  /** The nonce the server currently expects (nonce mode). */
  currentNonce(): string
  /** `expires_in` of access tokens issued from now on. */
  setTokenLifetime(seconds: number): void
  /** Revokes every access and refresh token of one client, or of all clients. */
  revokeTokens(clientId?: string): void
  /** Makes registration answer like an old server, or return a wrong or missing key fingerprint. */
  setRegistrationBehavior(options: {
    mode?: RalioSettings['registrationMode']
    fingerprint?: RalioSettings['fingerprintMode']
  }): void
  /** New spend limit, a decimal string such as "250.00". */
  setSpendLimit(amount: string): void
  /** What the server did so far: registrations, token requests, chats, payment intents. */
  stats(): RalioSandboxStats
}
