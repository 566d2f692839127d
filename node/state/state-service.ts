import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Logger } from 'pino'
import { Counter, type Registry } from 'prom-client'
import type { Clock } from '../../protocol/clock.ts'
import { HybridClock, type Hlc } from '../../protocol/hlc.ts'
import type { Workload } from '../../protocol/manifest/index.ts'
import {
  checkFabricLimits, entryKey, entryWriter, FabricState, parseEntry, planApply, planDelete,
  DEFAULT_FABRIC_LIMITS, type ApplyOutcome, type FabricLimits, type StateEntry
} from '../../protocol/state/index.ts'
import type { EventLog } from '../events.ts'
import type { HyperionMetrics } from '../metrics.ts'
import type { TopicSpec } from '../peer/gossip.ts'
import type { MemberRegistry } from '../peer/members.ts'
import { StateStore } from './store.ts'
import { decodeSyncMessage, initiateSync, MAX_SYNC_MESSAGE_BYTES, serveSync, type Channel, type SyncSide } from './sync-protocol.ts'

export interface StateComponents {
  libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'getConnections' | 'addEventListener' | 'removeEventListener'>
  gossip: { register: <T>(spec: TopicSpec<T>) => void, publish: (topic: string, data: Uint8Array) => Promise<number> }
  members: Pick<MemberRegistry, 'isMember' | 'addEventListener' | 'removeEventListener'>
  clock: Clock
  logger: Logger
  metrics: Pick<HyperionMetrics, 'rejected' | 'registry'>
  events: Pick<EventLog, 'emit'>
  random: () => number
}

export interface StateInit {
  /** The sqlite file (`<data-dir>/state.db`). */
  path: string
  /** This node's peer id: the writer stamped into its HLC. */
  self: string
  syncProtocol: string
  controlTopic: string
  /** Anti-entropy with one random member this often; gossip does the fast path. @default 10_000 */
  syncIntervalMs?: number
  /** A whole sync session, however large, must finish within this. @default 60_000 */
  syncTimeoutMs?: number
  /** Remote timestamps further ahead than this are refused (HybridClock). @default 60_000 */
  maxDriftMs?: number
  /** @default DEFAULT_FABRIC_LIMITS */
  limits?: FabricLimits
}

export interface WriteResult {
  name: string
  outcome: ApplyOutcome | 'deleted'
  generation: number
  /** The op is fsync'd in this node's store. */
  durable: true
}

type Via = 'api' | 'gossip' | 'sync'

/**
 * The node's replica of the fabric state: writes taken from the admin API
 * (durable before they are acknowledged, then gossiped on the control
 * topic), entries gossiped by members, and anti-entropy over a stream
 * protocol with a member on connect and with a random member every
 * `syncIntervalMs`, which repairs whatever gossip missed (a node that was
 * down, a partition). Non-members get nothing and give nothing.
 */
export class StateService implements SyncSide {
  readonly state = new FabricState()
  private readonly c: StateComponents
  private readonly init: StateInit
  private readonly store: StateStore
  private hlc!: HybridClock
  private timer?: unknown
  private running = false
  private readonly syncing = new Set<string>()
  /** Keys changed by peers, persisted on the next turn of the event loop (or with the next local write). */
  private readonly unflushed = new Set<string>()
  private flushing?: ReturnType<typeof setImmediate>
  readonly syncRounds: Counter<'result'>
  readonly syncEntries: Counter<'direction'>
  /** A new member, or a known one reconnecting (after a restart or a partition): sync with it. */
  private readonly onVerified = (evt: CustomEvent<{ peerId: string }>): void => { this.syncSoon(evt.detail.peerId) }
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    if (this.c.members.isMember(peer, this.c.clock.now())) this.syncSoon(peer)
  }

  constructor (components: StateComponents, init: StateInit) {
    this.c = components
    this.init = init
    this.store = new StateStore({ path: init.path })
    const registers = [components.metrics.registry]
    this.syncRounds = new Counter({ name: 'hyperion_state_sync_rounds_total', help: 'Anti-entropy sessions this node started, by result', labelNames: ['result'], registers })
    this.syncEntries = new Counter({ name: 'hyperion_state_sync_entries_total', help: 'State entries changed by anti-entropy, by direction (pulled here, pushed to a peer)', labelNames: ['direction'], registers })
  }

  async start (): Promise<void> {
    const loaded = this.store.open()
    for (const e of loaded.entries) this.state.apply(e)
    this.hlc = new HybridClock({ wallClock: () => this.c.clock.now() }, {
      node: this.init.self,
      ...(loaded.hlc !== undefined ? { last: loaded.hlc } : {}),
      ...(this.init.maxDriftMs !== undefined ? { maxDriftMs: this.init.maxDriftMs } : {})
    })
    this.c.logger.info({ entries: this.state.size, path: this.init.path }, 'state loaded')
    this.c.gossip.register<StateEntry>({
      topic: this.init.controlTopic,
      decode: data => parseEntry(JSON.parse(new TextDecoder().decode(data))),
      check: async (entry, from) => this.checkGossip(entry, from),
      onMessage: entry => { this.receive([entry], 'gossip') },
      onReject: reason => { this.reject(reason.startsWith('malformed') ? 'malformed' : (reason.split(':')[0] ?? reason)) }
    })
    await this.c.libp2p.handle(this.init.syncProtocol, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 4 })
    this.c.members.addEventListener('member:verified', this.onVerified)
    this.c.libp2p.addEventListener('peer:connect', this.onConnect)
    this.running = true
    this.schedule()
  }

  async stop (): Promise<void> {
    if (this.flushing !== undefined) clearImmediate(this.flushing)
    this.flush()
    this.running = false
    if (this.timer !== undefined) this.c.clock.clearTimeout(this.timer)
    this.c.members.removeEventListener('member:verified', this.onVerified)
    this.c.libp2p.removeEventListener('peer:connect', this.onConnect)
    await this.c.libp2p.unhandle(this.init.syncProtocol).catch(() => {})
    this.store.close()
  }

  /** The latest timestamp this node issued or received. */
  get clock (): Hlc {
    return this.hlc.current()
  }

  /** Creates or updates a workload: durable here before it returns, then gossiped. */
  apply (workload: Workload): WriteResult {
    const plan = planApply(this.state.spec(workload.name), workload, this.hlc.now())
    if (plan.entry !== undefined) {
      checkFabricLimits(this.state, workload, this.init.limits ?? DEFAULT_FABRIC_LIMITS)
      this.commit(plan.entry)
    }
    return { name: workload.name, outcome: plan.outcome, generation: plan.generation, durable: true }
  }

  /** Deletes a workload (a tombstone); undefined when there is no such live workload. */
  delete (name: string): WriteResult | undefined {
    const tombstone = planDelete(this.state.spec(name), this.hlc.now())
    if (tombstone === undefined) return undefined
    this.commit(tombstone)
    return { name, outcome: 'deleted', generation: tombstone.generation, durable: true }
  }

  private commit (entry: StateEntry): void {
    // Received entries not yet flushed go in the same transaction, before
    // this one: the disk never holds an older entry than memory for a key.
    this.store.write([...this.state.entriesFor(this.unflushed), entry], this.hlc.current())
    this.unflushed.clear()
    this.state.apply(entry)
    this.announce(entry, 'api')
    void this.c.gossip.publish(this.init.controlTopic, new TextEncoder().encode(JSON.stringify(entry)))
      .catch(err => { this.c.logger.debug({ err: (err as Error).message }, 'state entry not gossiped; sync will carry it') })
  }

  /** SyncSide: entries a peer sent over the sync stream. */
  accept (raw: unknown[]): number {
    const entries: StateEntry[] = []
    for (const r of raw) {
      try {
        const entry = parseEntry(r)
        this.hlc.receive(entry.ts)
        entries.push(entry)
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'INVALID_ENTRY'
        this.reject(code)
        this.c.logger.warn({ code, err: (err as Error).message }, 'state entry from sync refused')
      }
    }
    return this.receive(entries, 'sync')
  }

  /** Applies entries from peers and persists those that changed the state; returns how many did. */
  private receive (entries: StateEntry[], via: Via): number {
    const changed: StateEntry[] = []
    for (const entry of entries) {
      if (via === 'gossip') {
        try { this.hlc.receive(entry.ts) } catch (err) { this.reject((err as { code?: string }).code ?? 'CLOCK_DRIFT'); continue }
      }
      if (!this.state.apply(entry)) continue
      this.unflushed.add(entryKey(entry))
      changed.push(entry)
    }
    if (changed.length === 0) return 0
    // Nobody waits on a received entry's durability, so a burst of gossip
    // shares one transaction (one fsync) instead of paying one per message.
    if (this.flushing === undefined) this.flushing = setImmediate(() => { this.flush() })
    for (const e of changed) this.announce(e, via)
    return changed.length
  }

  /** Persists received entries that are only in memory so far. */
  private flush (): void {
    this.flushing = undefined
    if (this.unflushed.size === 0 || !this.running) return
    try {
      this.store.write(this.state.entriesFor(this.unflushed), this.hlc.current())
      this.unflushed.clear()
    } catch (err) {
      // In memory but not on disk: after a restart, sync brings them back.
      this.c.logger.error({ err }, 'could not persist received state entries')
    }
  }

  private async checkGossip (entry: StateEntry, from: PeerId): Promise<string | undefined> {
    if (entryWriter(entry) !== from.toString()) {
      return `FORGED_WRITER: entry stamped by ${entryWriter(entry)} but published by ${from.toString()}`
    }
    try {
      this.hlc.checkDrift(entry.ts)
    } catch (err) {
      return `CLOCK_DRIFT: ${(err as Error).message}`
    }
    return undefined
  }

  private reject (reason: string): void {
    this.c.metrics.rejected.inc({ kind: 'state', reason })
  }

  private announce (e: StateEntry, via: Via): void {
    if (e.type !== 'spec') return
    const data = { workload: e.name, generation: e.generation, writer: entryWriter(e), via }
    if (e.value === null) this.c.events.emit('workload.deleted', `workload ${e.name} deleted (by ${entryWriter(e)}, via ${via})`, data)
    else this.c.events.emit('workload.applied', `workload ${e.name} generation ${e.generation} stored (by ${entryWriter(e)}, via ${via})`, data)
  }

  private schedule (): void {
    if (!this.running) return
    const base = this.init.syncIntervalMs ?? 10_000
    // ±20% jitter so nodes started together do not sync in lockstep.
    this.timer = this.c.clock.setTimeout(() => {
      const peers = this.connectedMembers()
      const peer = peers[Math.floor(this.c.random() * peers.length)]
      if (peer !== undefined) void this.syncWith(peer)
      this.schedule()
    }, base * (0.8 + 0.4 * this.c.random()))
  }

  private syncSoon (peer: string): void {
    // A moment's grace: the peer may not have admitted us yet when we admit it.
    this.c.clock.setTimeout(() => { void this.syncWith(peer) }, 250)
  }

  private connectedMembers (): string[] {
    const now = this.c.clock.now()
    return [...new Set(this.c.libp2p.getConnections().map(c => c.remotePeer.toString()))].filter(p => this.c.members.isMember(p, now))
  }

  /** One anti-entropy session with `peer`, if it is a connected member and none is running with it. */
  async syncWith (peer: string): Promise<void> {
    if (!this.running || this.syncing.has(peer) || !this.c.members.isMember(peer, this.c.clock.now())) return
    const connection = this.c.libp2p.getConnections().find(c => c.remotePeer.toString() === peer && c.status === 'open')
    if (connection === undefined) return
    this.syncing.add(peer)
    const signal = AbortSignal.timeout(this.init.syncTimeoutMs ?? 60_000)
    let stream: Stream | undefined
    try {
      stream = await connection.newStream(this.init.syncProtocol, { signal })
      const stats = await initiateSync(lpChannel(stream, signal), this)
      await stream.close({ signal })
      this.syncRounds.inc({ result: stats.equal ? 'equal' : 'repaired' })
      if (stats.pulled > 0) this.syncEntries.inc({ direction: 'pulled' }, stats.pulled)
      if (stats.pushed > 0) this.syncEntries.inc({ direction: 'pushed' }, stats.pushed)
      if (!stats.equal) this.c.logger.info({ peer, ...stats }, 'state sync repaired differences')
    } catch (err) {
      stream?.abort(err as Error)
      this.syncRounds.inc({ result: 'failed' })
      this.c.logger.debug({ peer, err: (err as Error).message }, 'state sync failed')
    } finally {
      this.syncing.delete(peer)
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    if (!this.c.members.isMember(peer, this.c.clock.now())) {
      this.reject('not a member')
      this.c.logger.warn({ peer }, 'state sync refused: not a member')
      stream.abort(new Error('not a fabric member'))
      return
    }
    const signal = AbortSignal.timeout(this.init.syncTimeoutMs ?? 60_000)
    try {
      await serveSync(lpChannel(stream, signal), this)
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
      this.c.logger.debug({ peer, err: (err as Error).message }, 'state sync session failed')
    }
  }
}

/** Length-prefixed JSON messages, each refused above MAX_SYNC_MESSAGE_BYTES before it is buffered. */
function lpChannel (stream: Stream, signal: AbortSignal): Channel {
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_MESSAGE_BYTES })
  const encoder = new TextEncoder()
  const decoder = new TextDecoder('utf-8', { fatal: true })
  return {
    send: async (m) => { await lp.write(encoder.encode(JSON.stringify(m)), { signal }) },
    recv: async () => decodeSyncMessage(JSON.parse(decoder.decode((await lp.read({ signal })).subarray())))
  }
}
