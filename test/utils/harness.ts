import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hyperion, hyperionJson, MAIN } from './cli.ts'

export interface StatusDoc {
  peerId: string
  fabricId: string
  state: string
  listenAddrs: string[]
  peerCount: number
  [key: string]: unknown
}

export interface PeerDoc {
  peerId: string
  region: string | null
  role: string | null
  rttMs: number | null
  addrs: string[]
}

/** One daemon process with its own data dir, as a user would run it. */
export class NodeProcess {
  readonly name: string
  readonly dataDir: string
  readonly args: string[]
  /**
   * Environment of the daemon. Cloud metadata probes are off unless a test
   * points them at its own server: tests send nothing beyond loopback.
   */
  env: NodeJS.ProcessEnv = { HYPERION_CLOUD_METADATA: 'off' }
  /**
   * Argv run in front of the daemon's command, e.g. `['ip', 'netns', 'exec', ns]`
   * to run it as another host (test/utils/netns.ts). Empty: spawned directly.
   */
  prefix: string[] = []
  child?: ChildProcess
  stdout = ''
  stderr = ''
  exitCode: number | null = null
  private exited?: Promise<number | null>

  constructor (name: string, dataDir: string, args: string[]) {
    this.name = name
    this.dataDir = dataDir
    this.args = args
  }

  /**
   * Spawns `hyperion start` (again, after a kill: same data dir, same args).
   * `bin` runs an installed `hyperion` instead of the source tree's.
   */
  spawn (bin?: string): this {
    this.stdout = ''
    this.stderr = ''
    this.exitCode = null
    const argv = ['start', '--data-dir', this.dataDir, ...this.args]
    const opts = { stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } }
    const command = bin == null ? [...this.prefix, process.execPath, MAIN, ...argv] : [...this.prefix, bin, ...argv]
    const child = spawn(command[0] as string, command.slice(1), opts)
    child.stdout.on('data', (d: Buffer) => { this.stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString() })
    this.exited = new Promise(resolve => child.on('exit', code => { this.exitCode = code; resolve(code) }))
    this.child = child
    live.add(this)
    return this
  }

  get running (): boolean {
    return this.child != null && this.exitCode === null && this.child.signalCode == null
  }

  async cli (args: string[]) {
    return await hyperion([...args, '--data-dir', this.dataDir])
  }

  async status (): Promise<StatusDoc> {
    return await hyperionJson<StatusDoc>(['status', '--data-dir', this.dataDir])
  }

  async peers (): Promise<PeerDoc[]> {
    return await hyperionJson<PeerDoc[]>(['peers', '--data-dir', this.dataDir])
  }

  /** Resolves once the admin socket answers with `state` (default ready); fails early if the process dies. */
  async waitReady (timeoutMs = 15_000, state = 'ready'): Promise<StatusDoc> {
    const deadline = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited with ${this.exitCode} before it was ready:\n${this.stderr.slice(-2000)}`)
      try {
        const s = await this.status()
        if (s.state === state) return s
        last = s.state
      } catch (err) {
        last = (err as Error).message
      }
      await sleep(100)
    }
    throw new Error(`${this.name} not ${state} after ${timeoutMs} ms (last: ${last})\n${this.stderr.slice(-2000)}`)
  }

  async waitExit (timeoutMs = 10_000): Promise<number | null> {
    if (this.exited == null) return this.exitCode
    let timer: NodeJS.Timeout | undefined
    // Cleared once the process exits: an armed timer would hold mocha open.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`${this.name} did not exit within ${timeoutMs} ms`)) }, timeoutMs)
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async kill (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child?.kill(signal)
    const code = await this.waitExit()
    live.delete(this)
    return code
  }
}

const live = new Set<NodeProcess>()
const dirs = new Set<string>()

// A test that throws mid-way must not leave daemons (or temp dirs) behind.
process.on('exit', () => {
  for (const n of live) n.child?.kill('SIGKILL')
  for (const d of dirs) {
    try { rmSync(d, { recursive: true, force: true }) } catch {}
  }
})

export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Short temp dirs: Unix socket paths must stay under 108 bytes. */
export function tempDir (prefix = 'hyp-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.add(d)
  return d
}

export const LOOPBACK = '/ip4/127.0.0.1/udp/0/quic-v1'

/**
 * A fabric of daemons on loopback, each a separate process with its own data
 * dir. Register `afterEach(() => fabric.teardown())` (or use `withFabric`).
 */
export class TestFabric {
  readonly root: string
  readonly nodes: NodeProcess[] = []
  bootstrap?: string
  private readonly bin?: string

  /** @param bin an installed or built `hyperion` to run instead of the source tree */
  constructor (bin?: string) {
    this.root = tempDir()
    if (bin != null) this.bin = bin
  }

  node (name: string, args: string[]): NodeProcess {
    const n = new NodeProcess(name, join(this.root, name), ['--listen', LOOPBACK, ...args])
    this.nodes.push(n)
    return n
  }

  /** Starts the first node, which creates the fabric; remembers its bootstrap address. */
  async seed (name = 'n1', args: string[] = []): Promise<NodeProcess> {
    const n = this.node(name, args).spawn(this.bin)
    const s = await n.waitReady()
    this.bootstrap = s.listenAddrs[0]
    return n
  }

  async token (from: NodeProcess, args: string[] = []): Promise<string> {
    const r = await from.cli(['fabric', 'token', ...args])
    if (r.code !== 0) throw new Error(`fabric token failed: ${r.stderr}`)
    return r.stdout.trim()
  }

  /** Starts a node that joins through the seed with a fresh token from it. */
  async join (name: string, seed: NodeProcess, args: string[] = []): Promise<NodeProcess> {
    const token = await this.token(seed)
    const n = this.node(name, ['--bootstrap', this.bootstrap as string, '--join-token', token, ...args]).spawn(this.bin)
    await n.waitReady()
    return n
  }

  async teardown (): Promise<void> {
    await Promise.all(this.nodes.map(async n => {
      if (!n.running) return
      n.child?.kill('SIGTERM')
      try { await n.waitExit(5_000) } catch { n.child?.kill('SIGKILL'); await n.waitExit(2_000).catch(() => {}) }
      live.delete(n)
    }))
    rmSync(this.root, { recursive: true, force: true })
    dirs.delete(this.root)
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the elapsed ms. */
export async function eventually (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now()
  let lastErr: unknown
  while (Date.now() - start < timeoutMs) {
    try {
      if (await check()) return Date.now() - start
    } catch (err) {
      lastErr = err
    }
    await sleep(100)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${lastErr != null ? ` (last error: ${(lastErr as Error).message})` : ''}`)
}
