import type { Clock } from '../../protocol/clock.ts'

export interface DenyListInit {
  /**
   * How long a peer is refused after its first offence. It doubles with each
   * repeat, so a misconfigured node that later gets a valid token is let back
   * soon, while a persistent intruder is kept out for long.
   * @default 30_000
   */
  firstPenaltyMs?: number
  /** @default 3_600_000 */
  maxPenaltyMs?: number
  /** Bounds memory when many identities knock. @default 10_000 */
  maxEntries?: number
}

interface Entry { until: number, offences: number }

/** Peers known to be outside the fabric, refused by the connection gater until their penalty ends. */
export class DenyList {
  private readonly entries = new Map<string, Entry>()
  private readonly clock: Clock
  private readonly firstPenaltyMs: number
  private readonly maxPenaltyMs: number
  private readonly maxEntries: number

  constructor (components: { clock: Clock }, init: DenyListInit = {}) {
    this.clock = components.clock
    this.firstPenaltyMs = init.firstPenaltyMs ?? 30_000
    this.maxPenaltyMs = init.maxPenaltyMs ?? 3_600_000
    this.maxEntries = init.maxEntries ?? 10_000
  }

  deny (peerId: string): number {
    const now = this.clock.now()
    const prev = this.entries.get(peerId)
    const offences = (prev?.offences ?? 0) + 1
    const until = now + Math.min(this.maxPenaltyMs, this.firstPenaltyMs * 2 ** (offences - 1))
    this.entries.delete(peerId)
    this.entries.set(peerId, { until, offences })
    if (this.entries.size > this.maxEntries) {
      // Map iteration is insertion order: the first key is the oldest offence.
      const oldest = this.entries.keys().next().value
      if (oldest != null) this.entries.delete(oldest)
    }
    return until - now
  }

  isDenied (peerId: string): boolean {
    const e = this.entries.get(peerId)
    return e != null && e.until > this.clock.now()
  }

  /** A peer that proved membership starts with a clean record. */
  forgive (peerId: string): void {
    this.entries.delete(peerId)
  }

  get size (): number {
    return this.entries.size
  }
}
