/** What the soak's parent hands its workload process (as one JSON argument). */
export interface SoakConfig {
  runId: string
  ralio: {
    baseUrl: string
    clientId: string
    privateKeyPath: string
    clients: number
    chats: number
    warmupChats: number
    /** Mean pause between one client's chats, so the run spans many token lifetimes and nonce rotations. */
    paceMs: number
  }
  relynt: {
    baseUrl: string
    agentId: string
    secret: string
    clients: number
    calls: number
    warmupCalls: number
    /** Share of calls above the approval threshold. */
    approvalShare: number
    /** Share of calls to a payee the policy denies. */
    denyShare: number
  }
}

/** One chat as the client saw it. */
export interface ChatOutcome {
  reference: string
  mode: 'send' | 'stream'
  ok: boolean
  /** The error's class name, when it failed. */
  error?: string
  code?: string
  /** RalioError.isInstance(error). */
  typed?: boolean
}

/** One logical requestAction call (and its approval, if any) as the client saw it. */
export interface ActionOutcome {
  idempotencyKey: string
  ok: boolean
  decision?: string
  receiptId?: string
  approvalStatus?: string
  error?: string
  code?: string
  /** RelyntError.isInstance(error). */
  typed?: boolean
}

/** The workload process's report: its last line on stdout. */
export interface WorkloadReport {
  chats: ChatOutcome[]
  /** `transactions.list()` calls made between chats, and the failures among them. */
  listCalls: number
  listFailures: { error: string; typed: boolean }[]
  actions: ActionOutcome[]
  unhandledRejections: string[]
  heapBeforeMb: number
  heapAfterMb: number
  seconds: number
}

/** What the soak hands each process of the cluster that shares one credential folder. */
export interface ClusterConfig {
  index: number
  baseUrl: string
  /** The folder register() wrote: every process reads the same client id and key. */
  configDir: string
  /** This process's own refresh-token file (its second client persists its family there). */
  refreshTokenPath: string
  /** Requests over the process's two clients. */
  requests: number
  /** Mean pause between one client's requests, so the run spans many token lifetimes. */
  paceMs: number
}

/** One cluster process's report: its last line on stdout. */
export interface ClusterReport {
  process: number
  requests: number
  failures: { error: string; code: string; statusCode?: number; typed: boolean }[]
}
