import { createServer, type Server } from 'node:http'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { InvalidInputError } from '../protocol/errors.ts'

/**
 * Hyperion's own Prometheus metrics. They live in a registry of their own,
 * always counted (a counter increment is nothing), and are only served when
 * the daemon runs with `--metrics HOST:PORT`, where libp2p's metrics and the
 * process defaults join them.
 */
export class HyperionMetrics {
  readonly registry = new Registry()
  /** Read at scrape time: gauges of things the daemon already counts. */
  private sources: { peers: () => number, fabricNodes: () => number } = { peers: () => 0, fabricNodes: () => 0 }
  readonly peers = new Gauge({
    name: 'hyperion_peers',
    help: 'Connected peers that proved fabric membership',
    registers: [this.registry],
    collect: () => { this.peers.set(this.sources.peers()) }
  })

  readonly fabricNodes = new Gauge({
    name: 'hyperion_fabric_nodes',
    help: 'Nodes in this node\'s fabric view (fresh telemetry)',
    registers: [this.registry],
    collect: () => { this.fabricNodes.set(this.sources.fabricNodes()) }
  })

  readonly telemetryPublished = new Counter({ name: 'hyperion_telemetry_published_total', help: 'Telemetry messages published by this node', registers: [this.registry] })
  readonly telemetryReceived = new Counter({ name: 'hyperion_telemetry_received_total', help: 'Telemetry messages accepted from other nodes', registers: [this.registry] })
  readonly messageBytes = new Histogram({ name: 'hyperion_telemetry_message_bytes', help: 'Encoded size of telemetry messages', buckets: [128, 256, 384, 512, 768, 1024, 2048, 4096], registers: [this.registry] })
  readonly propagationSeconds = new Histogram({
    name: 'hyperion_telemetry_propagation_seconds',
    help: 'From a telemetry sample being taken by its sender to its arrival here (sender and receiver clocks)',
    buckets: [0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry]
  })
  readonly rejected = new Counter({ name: 'hyperion_messages_rejected_total', help: 'Messages refused, by kind and reason', labelNames: ['kind', 'reason'], registers: [this.registry] })

  measure (sources: { peers: () => number, fabricNodes: () => number }): void {
    this.sources = sources
  }
}

/** Parses `--metrics HOST:PORT` (IPv6 in brackets). */
export function parseListen (text: string): { host: string, port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(text)
  const port = Number(m?.[2])
  if (m == null || port > 65535) throw new InvalidInputError(`--metrics: must be HOST:PORT, like 127.0.0.1:9464 (got '${text}')`, 'USAGE')
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port }
}

/** Serves `/metrics` over plain HTTP: our registry plus libp2p's and the process defaults. */
export class MetricsServer {
  private readonly server: Server
  private readonly registries: Registry[]
  private readonly listen: { host: string, port: number }

  constructor (init: { listen: { host: string, port: number }, registries: Registry[] }) {
    this.listen = init.listen
    this.registries = init.registries
    const process = new Registry()
    collectDefaultMetrics({ register: process })
    this.registries.push(process)
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics' || req.method !== 'GET') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n')
        return
      }
      void Registry.merge(this.registries).metrics().then(text => {
        res.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE }).end(text)
      }, err => { res.writeHead(500).end(String(err)) })
    })
  }

  async start (): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.listen.port, this.listen.host, () => { this.server.off('error', reject); resolve() })
    })
    const a = this.server.address()
    return typeof a === 'object' && a != null ? `${a.address}:${a.port}` : String(a)
  }

  async stop (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
  }
}
