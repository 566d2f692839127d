import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import type { Clock } from '../../protocol/clock.ts'
import { backoffDelay, type BackoffOptions } from './backoff.ts'

interface Target {
  key: string
  addr?: Multiaddr
  peerId?: string
  attempt: number
  timer?: unknown
}

export interface RedialerComponents {
  libp2p: Libp2p
  clock: Clock
  logger: Logger
  random: () => number
}

export interface RedialerInit extends BackoffOptions {
  /** While connected, look again this often in case a disconnect went unseen. @default 30_000 */
  checkConnectedMs?: number
}

/**
 * Keeps this node connected to its bootstrap peers and the members it knew,
 * forever, with backoff. memberlist drops a node cut off longer than its
 * suspicion timeout for good (memberlist#222); we never stop dialling, so a
 * node cut off for an hour reconnects within one backoff period of the
 * network coming back.
 */
export class Redialer {
  private readonly c: RedialerComponents
  private readonly init: RedialerInit
  private readonly targets = new Map<string, Target>()
  private running = false
  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    for (const t of this.targets.values()) if (t.peerId === id) this.schedule(t, backoffDelay(0, this.c.random, this.init))
  }

  constructor (components: RedialerComponents, init: RedialerInit = {}) {
    this.c = components
    this.init = init
  }

  /** A bootstrap multiaddr (with or without /p2p/) or a known peer id. */
  add (target: { addr?: string, peerId?: string }): void {
    const addr = target.addr != null ? multiaddr(target.addr) : undefined
    const peerId = target.peerId ?? addr?.getComponents().find(c => c.name === 'p2p')?.value
    const key = peerId ?? addr?.toString()
    if (key == null || this.targets.has(key) || key === this.c.libp2p.peerId.toString()) return
    const t: Target = { key, attempt: 0, ...(addr != null ? { addr } : {}), ...(peerId != null ? { peerId } : {}) }
    this.targets.set(key, t)
    if (this.running) this.schedule(t, 0)
  }

  start (): void {
    this.running = true
    this.c.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    for (const t of this.targets.values()) this.schedule(t, 0)
  }

  stop (): void {
    this.running = false
    this.c.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const t of this.targets.values()) if (t.timer != null) this.c.clock.clearTimeout(t.timer)
  }

  private schedule (t: Target, ms: number): void {
    if (!this.running) return
    if (t.timer != null) this.c.clock.clearTimeout(t.timer)
    t.timer = this.c.clock.setTimeout(() => { void this.tick(t) }, ms)
  }

  private connected (t: Target): boolean {
    return t.peerId != null && this.c.libp2p.getConnections(peerIdFromString(t.peerId)).length > 0
  }

  private async tick (t: Target): Promise<void> {
    t.timer = undefined
    if (!this.running) return
    if (this.connected(t)) {
      t.attempt = 0
      this.schedule(t, this.init.checkConnectedMs ?? 30_000)
      return
    }
    try {
      const conn = await this.c.libp2p.dial(t.addr ?? peerIdFromString(t.peerId as string), { signal: AbortSignal.timeout(10_000) })
      t.peerId ??= conn.remotePeer.toString()
      if (t.attempt > 0) this.c.logger.info({ target: t.key, afterAttempts: t.attempt }, 'reconnected')
      t.attempt = 0
      this.schedule(t, this.init.checkConnectedMs ?? 30_000)
    } catch (err) {
      const delay = backoffDelay(t.attempt, this.c.random, this.init)
      t.attempt++
      this.c.logger.debug({ target: t.key, attempt: t.attempt, retryInMs: delay, err: (err as Error).message }, 'dial failed')
      this.schedule(t, delay)
    }
  }
}
