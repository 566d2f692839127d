import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { NodeProcess, tempDir } from './harness.ts'
import { created, destroyNamespaceSync, ipBatch, namespacePids, NS_PREFIX, run, sweepStaleNamespaces } from './netns-sys.ts'

export { lossUnavailableReason, netemUnavailableReason, netnsUnavailableReason, ownNamespaces, sweepStaleNamespaces } from './netns-sys.ts'

/**
 * Daemons as separate hosts: one network namespace per host, each with a
 * veth pair whose other end is a port of a bridge in a namespace of its own.
 * Nothing is created in the root namespace, so no address, route or rule of
 * this machine changes, and the hosts' traffic cannot leave the bridge. The
 * daemons' admin sockets are files, so the CLI reaches them from anywhere.
 *
 *   hyp-<pid>-<seq>-br : br0 ── h1, h2, …        (the switch)
 *   hyp-<pid>-<seq>-<i>: eth0 = 10.77.0.<i>/24, lo (host i, 1-based)
 *
 * Partitions are policy-routing rules: host A gets `from <B> blackhole` and B
 * gets `from <A> blackhole`, so each drops what the other sends at input
 * routing, silently, as a cut cable would (no send errors, no ICMP). The
 * `local` table's rule is moved behind them (pref 0 → 32765), since it would
 * otherwise accept packets for our own address first. Loopback, ARP and the
 * admin socket are untouched; a partition takes effect on the next packet.
 * This needs only iproute2: the kernels these tests run on may lack
 * nftables' userland, `act_gact` (tc's drop action) or even netem.
 *
 * Register `afterEach(() => fabric.teardown())`; namespaces left by a throw
 * or an exit are removed by an 'exit' handler, and those of a crashed earlier
 * run by a sweep when the next fabric is created.
 */

export interface NetemOptions {
  /** Added one-way delay on the host's outgoing packets. @default 0 */
  delayMs?: number
  /** Random variation of that delay, ±. @default 0 */
  jitterMs?: number
  /** Share of the host's outgoing packets dropped at random, 0–100. @default 0 */
  lossPercent?: number
}

export interface NetnsFabricInit {
  /** How many hosts (namespaces) to create, 1–250. */
  hosts: number
  /** First three octets of the hosts' /24; host i gets `.i`. Private to our namespaces. @default '10.77.0' */
  subnet?: string
}

/** Pref of the partition rules: before the `local` lookup, which we move to 32765. */
const CUT_PREF = 100

/** One namespace acting as a machine on the fabric's LAN. */
export class NetnsHost {
  /** 1-based, as in the namespace name and the last octet of the address. */
  readonly index: number
  readonly ns: string
  readonly address: string
  netem: NetemOptions | null = null

  constructor (index: number, ns: string, address: string) {
    this.index = index
    this.ns = ns
    this.address = address
  }

  listenAddr (port = 4001): string {
    return `/ip4/${this.address}/udp/${port}/quic-v1`
  }

  /** Runs a command inside the host; resolves with its stdout. */
  async exec (argv: string[]): Promise<string> {
    return await run(['ip', 'netns', 'exec', this.ns, ...argv])
  }
}

/** A daemon process running inside a host's namespace. */
export class NetnsNode extends NodeProcess {
  readonly host: NetnsHost

  constructor (name: string, dataDir: string, args: string[], host: NetnsHost) {
    super(name, dataDir, args)
    this.host = host
    this.prefix = ['ip', 'netns', 'exec', host.ns]
  }
}

export type Endpoint = NetnsHost | NetnsNode

/**
 * SIGTERM, then SIGKILL after 5 s. Not NodeProcess.kill/waitExit: their
 * timeout timers stay armed after the exit and would hold mocha (which runs
 * without --exit) for up to 10 s after the last test.
 */
async function stop (n: NodeProcess): Promise<void> {
  const child = n.child
  if (child == null || !n.running) return
  const exited = new Promise<boolean>(resolve => child.once('exit', () => { resolve(true) }))
  child.kill('SIGTERM')
  if (!await within(exited, 5_000)) {
    child.kill('SIGKILL')
    await within(exited, 2_000)
  }
}

async function within (p: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>(resolve => { timer = setTimeout(() => { resolve(false) }, ms) })
  try { return await Promise.race([p, late]) } finally { clearTimeout(timer) }
}

let seq = 0
let swept = false

export class NetnsFabric {
  /** `hyp-<pid>-<seq>`: prefix of every namespace of this fabric. */
  readonly id: string
  readonly bridgeNs: string
  readonly hosts: NetnsHost[] = []
  readonly nodes: NetnsNode[] = []
  readonly root: string
  bootstrap?: string
  /** Host pairs currently cut, as "i-j" with i < j. */
  private readonly cuts = new Set<string>()
  private readonly subnet: string

  private constructor (subnet: string) {
    this.id = `${NS_PREFIX}${process.pid}-${++seq}`
    this.bridgeNs = `${this.id}-br`
    this.subnet = subnet
    this.root = tempDir(`${this.id}-`)
  }

  /** Creates the bridge and `init.hosts` hosts; on failure removes what it made and throws. */
  static async create (init: NetnsFabricInit): Promise<NetnsFabric> {
    const subnet = init.subnet ?? '10.77.0'
    if (!Number.isInteger(init.hosts) || init.hosts < 1 || init.hosts > 250) throw new Error(`NetnsFabric needs 'hosts' between 1 and 250: current value is ${init.hosts}`)
    if (!/^10\.\d{1,3}\.\d{1,3}$/.test(subnet)) throw new Error(`NetnsFabric needs a 'subnet' like '10.77.0' (private, three octets): current value is '${subnet}'`)
    if (!swept) {
      swept = true
      const stale = sweepStaleNamespaces()
      if (stale.length > 0) console.log(`      (netns: removed ${stale.length} namespace(s) left by an earlier run: ${stale.join(', ')})`)
    }
    const fabric = new NetnsFabric(subnet)
    try {
      await fabric.build(init.hosts)
    } catch (err) {
      await fabric.teardown()
      throw err
    }
    return fabric
  }

  private async build (count: number): Promise<void> {
    const br = this.bridgeNs
    await this.addNamespace(br)
    await ipBatch(br, ['link set lo up', 'link add br0 type bridge', 'link set br0 up'])
    for (let i = 1; i <= count; i++) this.hosts.push(new NetnsHost(i, `${this.id}-${i}`, `${this.subnet}.${i}`))
    // allSettled: on a failure, teardown must not race the other hosts' setup.
    const results = await Promise.allSettled(this.hosts.map(async h => {
      await this.addNamespace(h.ns)
      await ipBatch(h.ns, [
        // Created in place, the peer straight into the bridge's namespace: nothing passes through the root namespace.
        `link add eth0 type veth peer name h${h.index} netns ${br}`,
        `addr add ${h.address}/24 dev eth0`,
        'link set lo up',
        'link set eth0 up',
        `rule add pref 32765 lookup local`,
        'rule del pref 0'
      ])
      await ipBatch(br, [`link set h${h.index} master br0 up`])
    }))
    const failed = results.find(r => r.status === 'rejected')
    if (failed != null) throw failed.reason
  }

  private async addNamespace (ns: string): Promise<void> {
    created.add(ns)
    await run(['ip', 'netns', 'add', ns])
  }

  private own (e: Endpoint): NetnsHost {
    const h = e instanceof NetnsNode ? e.host : e
    if (!this.hosts.includes(h)) throw new Error(`host ${h.ns} is not one of this fabric's (${this.id}-*)`)
    return h
  }

  /** Host `i`, 1-based. */
  host (i: number): NetnsHost {
    const h = this.hosts[i - 1]
    if (h == null) throw new Error(`no host ${i}: this fabric has hosts 1–${this.hosts.length}`)
    return h
  }

  /** A daemon on `host` listening on `<address>/udp/4001`, not yet spawned. */
  node (host: NetnsHost, name: string, args: string[] = []): NetnsNode {
    const n = new NetnsNode(name, join(this.root, name), ['--listen', host.listenAddr(), ...args], host)
    this.nodes.push(n)
    return n
  }

  /** Starts the first daemon, which creates the fabric; remembers its bootstrap address on the host's LAN address. */
  async seed (host: NetnsHost, name = `n${host.index}`, args: string[] = []): Promise<NetnsNode> {
    const n = this.node(host, name, args).spawn()
    const s = await n.waitReady()
    const addr = s.listenAddrs.find(a => a.startsWith(`/ip4/${host.address}/`))
    if (addr == null) throw new Error(`${name} does not listen on ${host.address}: ${s.listenAddrs.join(', ')}`)
    this.bootstrap = addr
    return n
  }

  async token (from: NodeProcess, args: string[] = []): Promise<string> {
    const r = await from.cli(['fabric', 'token', ...args])
    if (r.code !== 0) throw new Error(`fabric token failed: ${r.stderr}`)
    return r.stdout.trim()
  }

  /** Spawns a daemon on `host` that joins through the seed with a fresh token; `wait` false returns without waiting for ready. */
  async join (host: NetnsHost, seed: NodeProcess, opts: { name?: string, args?: string[], wait?: boolean } = {}): Promise<NetnsNode> {
    if (this.bootstrap == null) throw new Error('join needs a seed: call seed() first')
    const token = await this.token(seed)
    const n = this.node(host, opts.name ?? `n${host.index}`, ['--bootstrap', this.bootstrap, '--join-token', token, ...(opts.args ?? [])]).spawn()
    if (opts.wait !== false) await n.waitReady()
    return n
  }

  /** Cuts every host of `a` from every host of `b`, both ways; other links stay. Cutting a cut pair again is a no-op. */
  async partition (a: Endpoint[], b: Endpoint[]): Promise<void> {
    const rules = new Map<string, string[]>()
    const add = (h: NetnsHost, line: string) => { rules.set(h.ns, [...(rules.get(h.ns) ?? []), line]) }
    for (const x of a.map(e => this.own(e))) {
      for (const y of b.map(e => this.own(e))) {
        if (x === y) throw new Error(`cannot partition host ${x.index} from itself: it is in both groups`)
        const key = x.index < y.index ? `${x.index}-${y.index}` : `${y.index}-${x.index}`
        if (this.cuts.has(key)) continue
        this.cuts.add(key)
        add(x, `rule add from ${y.address}/32 blackhole pref ${CUT_PREF}`)
        add(y, `rule add from ${x.address}/32 blackhole pref ${CUT_PREF}`)
      }
    }
    await Promise.all([...rules].map(async ([ns, lines]) => { await ipBatch(ns, lines) }))
  }

  /** Restores every link cut by `partition`. */
  async heal (): Promise<void> {
    const rules = new Map<string, string[]>()
    const del = (h: NetnsHost, line: string) => { rules.set(h.ns, [...(rules.get(h.ns) ?? []), line]) }
    for (const key of this.cuts) {
      const [x, y] = key.split('-').map(i => this.host(Number(i))) as [NetnsHost, NetnsHost]
      del(x, `rule del from ${y.address}/32 blackhole pref ${CUT_PREF}`)
      del(y, `rule del from ${x.address}/32 blackhole pref ${CUT_PREF}`)
    }
    this.cuts.clear()
    await Promise.all([...rules].map(async ([ns, lines]) => { await ipBatch(ns, lines) }))
  }

  /** Pairs of host indices currently cut from each other. */
  get partitions (): Array<[number, number]> {
    return [...this.cuts].map(k => k.split('-').map(Number) as [number, number])
  }

  /**
   * Delay, jitter and loss on everything `host` sends (tc netem on its eth0),
   * replacing any earlier setting. Needs a kernel with sch_netem: check
   * `netemUnavailableReason()` first.
   */
  async setNetem (endpoint: Endpoint, opts: NetemOptions): Promise<void> {
    const host = this.own(endpoint)
    const { delayMs = 0, jitterMs = 0, lossPercent = 0 } = opts
    for (const [name, v, max] of [['delayMs', delayMs, 60_000], ['jitterMs', jitterMs, 60_000], ['lossPercent', lossPercent, 100]] as const) {
      if (!Number.isFinite(v) || v < 0 || v > max) throw new Error(`setNetem needs '${name}' between 0 and ${max}: current value is ${v}`)
    }
    const args = ['delay', `${delayMs}ms`]
    if (jitterMs > 0) args.push(`${jitterMs}ms`)
    if (lossPercent > 0) args.push('loss', `${lossPercent}%`)
    await run(['tc', '-n', host.ns, 'qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', ...args])
    host.netem = { delayMs, jitterMs, lossPercent }
  }

  /**
   * Drops `percent` of the packets `host` receives from other hosts, at
   * random, with nftables (`numgen random`), for kernels without sch_netem.
   * Loss only: it cannot delay. Needs the nft command (Debian's nftables):
   * check `lossUnavailableReason()` first. 0 removes it.
   */
  async setLoss (endpoint: Endpoint, percent: number): Promise<void> {
    const host = this.own(endpoint)
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new Error(`setLoss needs a percentage between 0 and 100: current value is ${percent}`)
    await run(['ip', 'netns', 'exec', host.ns, 'nft', '-f', '-'], [
      'table inet hyperion_loss',
      'delete table inet hyperion_loss',
      ...(percent === 0
        ? []
        : [
            'table inet hyperion_loss {',
            '  chain input {',
            '    type filter hook input priority 0; policy accept;',
            `    iifname "eth0" numgen random mod 1000 < ${Math.round(percent * 10)} counter drop`,
            '  }',
            '}'
          ])
    ].join('\n') + '\n')
  }

  /** Packets `setLoss` has dropped on `host` so far: proof that the loss was real. */
  async lossDropped (endpoint: Endpoint): Promise<number> {
    const host = this.own(endpoint)
    const out = await run(['ip', 'netns', 'exec', host.ns, 'nft', 'list', 'table', 'inet', 'hyperion_loss']).catch(() => '')
    return Number(/counter packets (\d+)/.exec(out)?.[1] ?? 0)
  }

  /** Removes the netem setting of `host`, if any. */
  async clearNetem (endpoint: Endpoint): Promise<void> {
    const host = this.own(endpoint)
    if (host.netem == null) return
    await run(['tc', '-n', host.ns, 'qdisc', 'del', 'dev', 'eth0', 'root'])
    host.netem = null
  }

  /**
   * Stops every daemon (SIGTERM, then SIGKILL after 5 s), kills whatever
   * else runs in our namespaces, deletes them (their veths and the bridge go
   * with them) and the data dirs. Safe to call twice.
   */
  async teardown (): Promise<void> {
    await Promise.all(this.nodes.map(stop))
    const namespaces = [...this.hosts.map(h => h.ns), this.bridgeNs].filter(ns => created.has(ns))
    await Promise.all(namespaces.map(async ns => {
      // Anything a test started with exec() or a daemon that ignored SIGTERM.
      for (const pid of await namespacePids(ns)) { try { process.kill(pid, 'SIGKILL') } catch {} }
      destroyNamespaceSync(ns)
      created.delete(ns)
    }))
    this.cuts.clear()
    rmSync(this.root, { recursive: true, force: true })
  }
}

/**
 * A mocha `before` hook that skips the suite when a check finds something
 * missing (not root, no `ip`, no netem, no nft), printing why: these tests
 * must never pass by not running without saying so.
 */
export function skipUnless (what: string, ...checks: Array<() => string | null>): (this: Mocha.Context) => void {
  return function (this: Mocha.Context) {
    for (const check of checks) {
      const reason = check()
      if (reason == null) continue
      console.log(`      skipping ${what}: ${reason}`)
      this.skip()
    }
  }
}
