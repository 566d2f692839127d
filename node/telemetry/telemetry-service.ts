import type { PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { HardwareMonitor, HardwareSample } from '../../hardware/index.ts'
import type { Clock } from '../../protocol/clock.ts'
import { decodeTelemetry, encodeTelemetry, type Telemetry } from '../../protocol/telemetry/index.ts'
import type { NodeConfig } from '../config/node-config.ts'
import type { HyperionMetrics } from '../metrics.ts'
import type { GossipBus } from '../peer/gossip.ts'
import type { MemberRegistry } from '../peer/members.ts'
import type { FabricView } from './fabric-view.ts'
import { nodeFacts, nodeSample } from './to-telemetry.ts'

export interface TelemetryComponents {
  gossip: GossipBus
  members: MemberRegistry
  view: FabricView
  hardware: HardwareMonitor
  metrics: HyperionMetrics
  clock: Clock
  logger: Logger
  config: NodeConfig
  /** This node's peer id: its own telemetry goes into the view directly. */
  self: string
}

export interface TelemetryInit {
  /** The topic of this node's region. */
  topic: string
  version: string
  startedAt: number
}

/**
 * Publishes this node's telemetry on its region's topic each time the
 * hardware monitor takes a sample (every 2 s by default), and feeds what
 * members of the region publish into the FabricView. A message is accepted
 * only from a member whose certificate names this region.
 */
export class TelemetryService {
  private readonly c: TelemetryComponents
  private readonly init: TelemetryInit
  private seq = 0
  private unsubscribe?: () => void

  constructor (components: TelemetryComponents, init: TelemetryInit) {
    this.c = components
    this.init = init
  }

  start (): void {
    this.c.gossip.register<Telemetry>({
      topic: this.init.topic,
      decode: decodeTelemetry,
      check: async (t, from) => this.check(t, from),
      onMessage: (t, from) => { this.receive(t, from) },
      onReject: (reason) => { this.c.metrics.rejected.inc({ kind: 'telemetry', reason: reason.split(':')[0] }) }
    })
    this.unsubscribe = this.c.hardware.on('sample', s => { void this.publish(s) })
  }

  stop (): void {
    this.unsubscribe?.()
  }

  /** Builds, records and gossips one telemetry message from a hardware sample. */
  async publish (s: HardwareSample | undefined): Promise<Telemetry | undefined> {
    const summary = this.c.hardware.summary()
    const t: Telemetry = {
      seq: ++this.seq,
      // Stamped when sent, not when the probes started: receivers measure
      // propagation from here, and ages from the sample's own `at` would
      // include however long the probes took.
      at: this.c.clock.now(),
      startedAt: this.init.startedAt,
      facts: nodeFacts(this.c.config, summary, this.init.version),
      sample: nodeSample(s, summary)
    }
    let bytes: Uint8Array
    try {
      bytes = encodeTelemetry(t)
    } catch (err) {
      // A probe reported something the wire refuses: skip this sample rather than send what peers would reject.
      this.c.logger.warn({ err: (err as Error).message }, 'telemetry sample not encodable')
      this.c.metrics.rejected.inc({ kind: 'telemetry-out', reason: 'unencodable' })
      return undefined
    }
    this.c.view.update(this.c.self, t, this.c.clock.now())
    this.c.metrics.messageBytes.observe(bytes.length)
    try {
      await this.c.gossip.publish(this.init.topic, bytes)
      this.c.metrics.telemetryPublished.inc()
    } catch (err) {
      this.c.logger.debug({ err: (err as Error).message }, 'telemetry not published')
    }
    return t
  }

  private async check (t: Telemetry, from: PeerId): Promise<string | undefined> {
    const member = this.c.members.get(from.toString())
    if (t.facts.region !== this.c.config.region) return `region: ${t.facts.region} published on the topic of ${this.c.config.region}`
    if (member != null && member.region !== '' && member.region !== t.facts.region) return `region: certificate is for ${member.region}, telemetry claims ${t.facts.region}`
    return undefined
  }

  private receive (t: Telemetry, from: PeerId): void {
    const now = this.c.clock.now()
    if (!this.c.view.update(from.toString(), t, now)) return
    this.c.metrics.telemetryReceived.inc()
    this.c.metrics.propagationSeconds.observe(Math.max(0, now - t.at) / 1000)
  }
}
