import type { PrivateKey } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from 'pino'
import { fabricIdFromPublicKey, type JoinToken } from '../protocol/membership/index.ts'
import { protocolIds, type ProtocolIds } from '../protocol/protocols.ts'
import { routes } from './admin/routes.ts'
import { AdminServer } from './admin/server.ts'
import { systemClock, type Clock } from '../protocol/clock.ts'
import { DataDir, type Membership } from './config/data-dir.ts'
import { DEFAULT_CONFIG, type NodeConfig } from './config/node-config.ts'
import { JoinError } from './errors.ts'
import { clearStaleSocket, lockDataDir } from './lock.ts'
import { createFabric, issuerFor, loadOwnMembership } from './membership/fabric.ts'
import { Announcer } from './peer/announce.ts'
import { backoffDelay } from './peer/backoff.ts'
import { createPeer, type Peer } from './peer/create-libp2p.ts'
import { DenyList } from './peer/deny-list.ts'
import { GossipBus } from './peer/gossip.ts'
import { HelloService } from './peer/hello.ts'
import { checkTokenLocally, joinFabric, JoinIssuer } from './peer/join.ts'
import { KnownPeers } from './peer/known-peers.ts'
import { MemberRegistry } from './peer/members.ts'
import { Redialer } from './peer/redialer.ts'
import { VERSION } from './version.ts'
import { createHardwareMonitor, type HardwareMonitor } from '../hardware/index.ts'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { EventLog } from './events.ts'
import { HyperionMetrics, MetricsServer } from './metrics.ts'
import { cloudMetadataFromEnv } from './config/cloud-env.ts'
import { FabricView } from './telemetry/fabric-view.ts'
import { StateService } from './state/state-service.ts'
import { TelemetryService } from './telemetry/telemetry-service.ts'
import { RegionSummaries } from './telemetry/region-summaries.ts'
import { FailureDetector } from './failure/detector.ts'
import { Election } from './election/election.ts'
import { join as joinPath } from 'node:path'

export interface DaemonOptions {
  dataDir: string
  bootstrap?: string[]
  joinToken?: string
  /** Overrides the config's listen addresses for this run. */
  listen?: string[]
  /** @default `<data-dir>/admin.sock` */
  adminSocket?: string
  /** Used only when the data dir is new. @default DEFAULT_CONFIG */
  initConfig?: NodeConfig
  logger: Logger
  clock?: Clock
  random?: () => number
  /** Serve Prometheus metrics here (`--metrics HOST:PORT`); off when absent. */
  metricsListen?: { host: string, port: number }
  /**
   * Peers to refuse connections with, besides those that failed to prove
   * membership: for an embedder fencing off peers (the in-process test
   * fabric cuts links with it). Existing connections are not touched.
   */
  refuse?: (peerId: string) => boolean
  /** Environment read for cloud metadata settings. @default process.env */
  env?: NodeJS.ProcessEnv
  /** Called when the daemon cannot go on (a refused join token); it has stopped by then. */
  onFatal?: (err: Error) => void
}

export type DaemonState = 'joining' | 'ready' | 'stopping'

/**
 * One fabric node: wires the data dir, the libp2p peer and its membership
 * services, and the admin socket, and owns their lifecycle. Everything a
 * user can ask of a node goes through the admin routes, which see the daemon
 * only through the accessors below.
 */
export class Daemon {
  readonly dataDir: DataDir
  readonly startedAt: number
  private readonly opts: DaemonOptions
  private readonly log: Logger
  private readonly clock: Clock
  private readonly random: () => number
  private releaseLock?: () => void
  private nodeKey!: PrivateKey
  config!: NodeConfig
  membership?: Membership
  fabricId!: string
  createdFabric = false
  state: DaemonState = 'joining'
  peer!: Peer
  members = new MemberRegistry()
  readonly view = new FabricView()
  readonly metrics = new HyperionMetrics()
  readonly events: EventLog
  stateService!: StateService
  hardware!: HardwareMonitor
  metricsAddress?: string
  private telemetry!: TelemetryService
  summaries!: RegionSummaries
  detector!: FailureDetector
  election!: Election
  private metricsServer?: MetricsServer
  private protocols!: ProtocolIds
  private deny!: DenyList
  private hello!: HelloService
  private joinIssuer!: JoinIssuer
  private gossip!: GossipBus
  private announcer!: Announcer
  private redialer!: Redialer
  private knownPeers!: KnownPeers
  private admin!: AdminServer
  private joinTimer?: unknown
  private expiryTimer?: unknown

  constructor (opts: DaemonOptions) {
    this.opts = opts
    this.dataDir = new DataDir(opts.dataDir)
    this.log = opts.logger
    this.clock = opts.clock ?? systemClock
    this.random = opts.random ?? Math.random
    this.startedAt = this.clock.now()
    this.events = new EventLog({ now: () => this.clock.now() })
  }

  get telemetryIntervalMs (): number {
    return this.config.telemetryIntervalMs
  }

  now (): number {
    return this.clock.now()
  }

  get socketPath (): string {
    return this.opts.adminSocket ?? this.dataDir.defaultSocketPath
  }

  get peerId (): string {
    return this.peer.peerId.toString()
  }

  /** Whether this node can sign join tokens and certificates. */
  get issuer () {
    return issuerFor(this.dataDir, this.nodeKey, this.membership)
  }

  async start (): Promise<void> {
    const now = this.clock.now()
    if (!this.dataDir.isInitialised()) {
      await this.dataDir.init(this.opts.initConfig ?? DEFAULT_CONFIG)
      this.log.info({ dataDir: this.dataDir.path }, 'initialised a new data dir')
    }
    this.releaseLock = lockDataDir(this.dataDir.lockPath, this.dataDir.path)
    try {
      await this.boot(now)
    } catch (err) {
      await this.stop().catch(() => {})
      throw err
    }
  }

  private async boot (now: number): Promise<void> {
    this.nodeKey = this.dataDir.loadNodeKey()
    this.config = this.dataDir.loadConfig()
    this.membership = await loadOwnMembership(this.dataDir, this.nodeKey, this.config.region, now)
    let token: JoinToken | undefined
    if (this.opts.joinToken != null) {
      token = await checkTokenLocally(this.opts.joinToken, now)
      const tokenFabric = fabricIdFromPublicKey(token.fabricPublicKey)
      if (this.membership != null && this.membership.fabricId !== tokenFabric) {
        throw new JoinError('ALREADY_IN_FABRIC', `this node is a member of fabric ${this.membership.fabricId}, but the join token is for ${tokenFabric}; use another --data-dir to join another fabric`)
      }
      if (this.membership != null) token = undefined
      if ((this.opts.bootstrap ?? []).length === 0 && token != null) {
        throw new JoinError('NO_BOOTSTRAP', 'a join token needs at least one --bootstrap MULTIADDR of a node of the fabric')
      }
    }
    if (this.membership == null && token == null) {
      this.membership = await createFabric(this.dataDir, this.nodeKey, this.config.region, now)
      this.createdFabric = true
      this.log.info({ fabricId: this.membership.fabricId }, 'created a new single-node fabric')
    }
    this.fabricId = this.membership?.fabricId ?? fabricIdFromPublicKey((token as JoinToken).fabricPublicKey)
    this.protocols = protocolIds(this.fabricId)
    this.deny = new DenyList({ clock: this.clock })
    const telemetryTopic = this.protocols.telemetryTopic(this.config.region)
    const libp2pRegistry = this.opts.metricsListen != null ? new Registry() : undefined
    this.peer = await createPeer({
      privateKey: this.nodeKey,
      listen: this.opts.listen ?? this.config.listen,
      protocols: this.protocols,
      deny: this.deny,
      ...(this.opts.refuse != null ? { refuse: this.opts.refuse } : {}),
      topics: [this.protocols.membersTopic, this.protocols.controlTopic, telemetryTopic, this.protocols.summaryTopic, this.protocols.swimTopic(this.config.region), this.protocols.claimTopic(this.config.region)],
      ...(libp2pRegistry != null ? { metrics: prometheusMetrics({ registry: libp2pRegistry, collectDefaultMetrics: false }) } : {})
    })
    const logger = this.log.child({ peer: this.peer.peerId.toString().slice(-8) })
    const membership = (): Membership | undefined => this.membership
    const common = { libp2p: this.peer, members: this.members, clock: this.clock, logger }
    this.hello = new HelloService({ ...common, deny: this.deny, membership }, { protocol: this.protocols.hello, bootedAt: this.startedAt })
    this.joinIssuer = new JoinIssuer({ ...common, hello: this.hello, membership, issuer: () => this.issuer }, { protocol: this.protocols.join })
    this.gossip = new GossipBus({ ...common, pubsub: this.peer.services.pubsub })
    this.announcer = new Announcer({ ...common, gossip: this.gossip, membership }, { topic: this.protocols.membersTopic, version: VERSION, startedAt: this.startedAt })
    this.redialer = new Redialer({ ...common, random: this.random })
    this.knownPeers = new KnownPeers(common, { path: this.dataDir.peersPath })
    this.hardware = createHardwareMonitor({
      dataDir: this.dataDir.path,
      intervalMs: this.config.telemetryIntervalMs,
      cloud: cloudMetadataFromEnv(this.opts.env ?? process.env),
      onError: (what, err) => {
        this.metrics.rejected.inc({ kind: `probe:${what}`, reason: (err as { code?: string }).code ?? 'ERROR' })
        logger.debug({ probe: what, err: (err as Error).message }, 'hardware probe problem')
      }
    }, { clock: this.clock })
    this.metrics.measure({ peers: () => this.connectedMembers().length, fabricNodes: () => this.view.list(this.clock.now()).length })
    this.hardware.on('interruption', n => {
      this.events.emit('spot.interruption', `${n.provider} will reclaim this node (${n.action})${n.deadline != null ? ` at ${n.deadline}` : ''}`, { ...n })
      logger.warn({ notice: n }, 'spot interruption notice')
    })
    this.members.addEventListener('member:verified', evt => {
      this.events.emit('member.verified', `member ${evt.detail.peerId} (${evt.detail.role}, ${evt.detail.region}) proved its membership`, { ...evt.detail })
    })
    const self = this.peer.peerId.toString()
    this.detector = new FailureDetector({ ...common, gossip: this.gossip, events: this.events, random: this.random, self, region: this.config.region }, {
      probeProtocol: this.protocols.probe,
      topic: this.protocols.swimTopic(this.config.region),
      incarnation: this.startedAt
    })
    this.election = new Election({
      gossip: this.gossip, detector: this.detector, events: this.events, clock: this.clock, logger, self,
      region: this.config.region,
      priority: this.config.priority,
      priorityOf: (id) => this.view.get(id)?.facts.priority
    }, { topic: this.protocols.claimTopic(this.config.region), statePath: joinPath(this.dataDir.path, 'election.json') })
    this.summaries = new RegionSummaries({ ...common, coordinator: () => this.election.view(), gossip: this.gossip, view: this.view, metrics: this.metrics, config: this.config, self: this.peer.peerId.toString() }, { topic: this.protocols.summaryTopic, freshMs: 3 * this.telemetryIntervalMs })
    this.telemetry = new TelemetryService({ ...common, gossip: this.gossip, view: this.view, hardware: this.hardware, metrics: this.metrics, config: this.config, self: this.peer.peerId.toString() }, { topic: telemetryTopic, version: VERSION, startedAt: this.startedAt })

    await this.hello.start()
    await this.joinIssuer.start()
    await this.peer.start()
    this.announcer.start()
    this.telemetry.start()
    this.summaries.start()
    this.stateService = new StateService({ ...common, gossip: this.gossip, metrics: this.metrics, events: this.events, random: this.random }, { path: `${this.dataDir.path}/state.db`, self: this.peerId, syncProtocol: this.protocols.sync, controlTopic: this.protocols.controlTopic })
    await this.stateService.start()
    await this.detector.start()
    this.election.start()
    // Probing the machine (and asking cloud metadata services, 300 ms at most
    // where there are none) runs beside start-up, not before it: joining the
    // fabric does not wait for it.
    void this.hardware.start().catch(err => { logger.error({ err }, 'hardware monitor failed to start') })
    this.knownPeers.start()
    for (const p of this.knownPeers.load()) {
      await this.peer.peerStore.merge(peerIdFromString(p.peerId), { multiaddrs: p.addrs.map(a => multiaddr(a)) }).catch(() => {})
      this.redialer.add({ peerId: p.peerId })
    }
    for (const b of this.opts.bootstrap ?? []) this.redialer.add({ addr: b })

    await clearStaleSocket(this.socketPath)
    this.admin = new AdminServer({ logger }, { socketPath: this.socketPath, routes: routes(this) })
    await this.admin.start()
    if (this.opts.metricsListen != null && libp2pRegistry != null) {
      this.metricsServer = new MetricsServer({ listen: this.opts.metricsListen, registries: [this.metrics.registry, libp2pRegistry] })
      this.metricsAddress = await this.metricsServer.start()
      logger.info({ address: this.metricsAddress }, 'serving metrics')
    }

    if (this.membership != null) {
      this.becomeReady()
    } else {
      void this.joinLoop(token as JoinToken, 0)
    }
    this.watchExpiry()
  }

  private becomeReady (): void {
    this.state = 'ready'
    this.redialer.start()
    this.log.info({ fabricId: this.fabricId, peerId: this.peerId }, 'node ready')
  }

  private async joinLoop (token: JoinToken, attempt: number): Promise<void> {
    this.joinTimer = undefined
    if (this.state !== 'joining') return
    const bootstraps: Multiaddr[] = (this.opts.bootstrap ?? []).map(b => multiaddr(b))
    try {
      const { membership, connection } = await joinFabric({
        libp2p: this.peer, nodeKey: this.nodeKey, token, tokenText: this.opts.joinToken as string, region: this.config.region,
        bootstraps, protocol: this.protocols.join, clock: this.clock, logger: this.log
      })
      this.dataDir.saveMembership(membership)
      this.membership = membership
      this.log.info({ fabricId: membership.fabricId, role: membership.certificate.role }, 'joined the fabric')
      this.becomeReady()
      await this.hello.greet(connection).catch(() => {})
    } catch (err) {
      if (this.state !== 'joining') return
      const code = (err as JoinError).code
      if (code !== 'JOIN_UNREACHABLE') {
        this.log.error({ code, err: (err as Error).message }, 'join refused')
        await this.stop()
        this.opts.onFatal?.(err as Error)
        return
      }
      const delay = backoffDelay(attempt, this.random)
      this.log.warn({ err: (err as Error).message, retryInMs: delay }, 'join failed, retrying')
      this.joinTimer = this.clock.setTimeout(() => { void this.joinLoop(token, attempt + 1) }, delay)
    }
  }

  /** Drops members (and disconnects peers) whose certificates ran out while connected. */
  private watchExpiry (): void {
    this.expiryTimer = this.clock.setTimeout(() => {
      for (const id of this.members.expire(this.clock.now())) {
        this.log.warn({ peer: id }, 'membership certificate expired; disconnecting')
        void this.peer.hangUp(peerIdFromString(id)).catch(() => {})
      }
      this.watchExpiry()
    }, 60_000)
  }

  /**
   * Connected peers that proved membership, deduplicated (a peer may hold
   * several connections). RTTs come from libp2p's connection monitor, which
   * pings every connection every 10 s anyway: no second ping of our own.
   */
  connectedMembers (): Array<{ peerId: string, addrs: string[], rttMs: number | null }> {
    const byPeer = new Map<string, { addrs: string[], rttMs: number | null }>()
    const now = this.clock.now()
    for (const conn of this.peer.getConnections()) {
      const id = conn.remotePeer.toString()
      if (!this.members.isMember(id, now)) continue
      const entry = byPeer.get(id) ?? { addrs: [], rttMs: null }
      entry.addrs.push(conn.remoteAddr.toString())
      if (conn.rtt != null && (entry.rttMs == null || conn.rtt < entry.rttMs)) entry.rttMs = Math.round(conn.rtt)
      byPeer.set(id, entry)
    }
    return [...byPeer].map(([peerId, e]) => ({ peerId, ...e }))
  }

  /**
   * The latency matrix row of this node: median RTT to connected members of
   * each region (its own included), from libp2p's connection pings.
   */
  regionRtts (): Record<string, number> {
    const byRegion = new Map<string, number[]>()
    for (const p of this.connectedMembers()) {
      const region = this.members.get(p.peerId)?.region
      if (region == null || p.rttMs == null) continue
      byRegion.set(region, [...(byRegion.get(region) ?? []), p.rttMs])
    }
    return Object.fromEntries([...byRegion].map(([r, xs]) => [r, xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number]))
  }

  /**
   * The fabric leader as this node sees it: the best-ranked coordinator among
   * its own region's and those of the regions whose summaries it hears. It
   * adopts the workloads of a region gone from view.
   */
  fabricLeader (): string | null {
    const own = this.election.claim
    const candidates = [
      ...(own != null ? [{ peerId: own.coordinator, priority: own.priority }] : []),
      ...this.summaries.list().filter(r => r.epoch > 0).map(r => ({ peerId: r.from, priority: r.priority }))
    ]
    candidates.sort((a, b) => b.priority - a.priority || (a.peerId < b.peerId ? 1 : a.peerId > b.peerId ? -1 : 0))
    return candidates[0]?.peerId ?? null
  }

  bootstrapAddrs (): string[] {
    return this.peer.getMultiaddrs().map(a => a.toString())
  }

  /**
   * Stops cleanly: the admin socket goes first (so no new request races
   * the shutdown), then peers are told by closing our connections.
   */
  async stop (): Promise<void> {
    if (this.state === 'stopping') return
    this.state = 'stopping'
    if (this.joinTimer != null) this.clock.clearTimeout(this.joinTimer)
    if (this.expiryTimer != null) this.clock.clearTimeout(this.expiryTimer)
    await this.admin?.stop().catch(err => { this.log.warn({ err }, 'admin socket did not close cleanly') })
    // Hand over and say goodbye while the peers can still hear us.
    await this.election?.stop().catch(() => {})
    await this.detector?.stop().catch(() => {})
    this.redialer?.stop()
    this.announcer?.stop()
    this.telemetry?.stop()
    this.summaries?.stop()
    await this.stateService?.stop().catch(() => {})
    await this.hardware?.stop().catch(() => {})
    await this.metricsServer?.stop().catch(() => {})
    await this.knownPeers?.stop().catch(() => {})
    this.gossip?.stop()
    await this.hello?.stop().catch(() => {})
    await this.joinIssuer?.stop().catch(() => {})
    await Promise.resolve(this.peer?.stop()).catch(err => { this.log.warn({ err }, 'libp2p did not stop cleanly') })
    this.releaseLock?.()
    this.log.info('stopped')
  }
}
