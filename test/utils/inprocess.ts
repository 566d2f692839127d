import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { pino } from 'pino'
import { Daemon } from '../../node/daemon.ts'
import { makeJoinToken } from '../../node/membership/fabric.ts'
import { tempDir } from './harness.ts'

/**
 * The fast variant of the partition harness: daemons in this process, links
 * cut by their connection gaters (each daemon refuses the peers we block for
 * it) and existing connections hung up. No root, no namespaces; what it cannot
 * do is add latency or loss (use test/utils/netns.ts for those).
 */
export class InProcessFabric {
  readonly daemons: Daemon[] = []
  private readonly root = tempDir('hyp-ip-')
  private readonly blocked = new Map<Daemon, Set<string>>()

  /** Starts `n` daemons: the first creates the fabric, the others join it with tokens. */
  async start (n: number, regions: string[] = []): Promise<Daemon[]> {
    for (let i = 0; i < n; i++) {
      const block = new Set<string>()
      const seed = this.daemons[0]
      const joining = seed == null
        ? {}
        : {
            bootstrap: [seed.bootstrapAddrs()[0] as string],
            joinToken: (await makeJoinToken(seed.issuer as NonNullable<Daemon['issuer']>, seed.membership?.fabricPublicKey as Uint8Array, { ttlMs: 3_600_000, role: 'member', region: '' }, Date.now())).token
          }
      const d = new Daemon({
        dataDir: join(this.root, `n${i + 1}`),
        listen: ['/ip4/127.0.0.1/udp/0/quic-v1'],
        logger: pino({ level: 'silent' }),
        env: { HYPERION_CLOUD_METADATA: 'off' },
        refuse: (peer) => block.has(peer),
        initConfig: { region: regions[i] ?? 'local', zone: '', geography: 'LOCAL', provider: 'onprem', labels: {}, pricePerHour: 0, spot: false, listen: ['/ip4/127.0.0.1/udp/0/quic-v1'], priority: 0, telemetryIntervalMs: 2_000 },
        ...joining
      })
      this.blocked.set(d, block)
      await d.start()
      this.daemons.push(d)
    }
    return this.daemons
  }

  /** Cuts every link between the two groups, both ways, at once. */
  async partition (a: Daemon[], b: Daemon[]): Promise<void> {
    for (const x of a) {
      for (const y of b) {
        this.blocked.get(x)?.add(y.peerId)
        this.blocked.get(y)?.add(x.peerId)
      }
    }
    await Promise.all([...a.flatMap(x => b.map(async y => { await x.peer.hangUp(peerIdFromString(y.peerId)).catch(() => {}) }))])
  }

  /** Restores every link; the daemons re-dial each other by themselves. */
  heal (): void {
    for (const set of this.blocked.values()) set.clear()
  }

  async teardown (): Promise<void> {
    await Promise.all(this.daemons.map(async d => { await d.stop().catch(() => {}) }))
    rmSync(this.root, { recursive: true, force: true })
  }
}
