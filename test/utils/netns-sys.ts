import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The system side of the netns harness: running `ip`/`tc`, probing what this
 * machine supports, and removing namespaces (with their processes) whatever
 * way a run ends. Every namespace the harness makes is called `hyp-<pid>-…`,
 * so a later run can tell a crashed run's leftovers from a live run's.
 */

export const NS_PREFIX = 'hyp-'
const OURS = new RegExp(`^${NS_PREFIX}(\\d+)-`)
/** A fabric's data root: `hyp-<pid>-<seq>-` and mkdtemp's six characters (tempDir('hyp-') of other tests never has the dashes). */
const DATA_ROOT = new RegExp(`^${NS_PREFIX}\\d+-\\d+-[A-Za-z0-9]{6}$`)

/** Runs a command, failing with what it printed. */
export async function run (argv: string[], input?: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const child = execFile(argv[0] as string, argv.slice(1), { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err != null) reject(new Error(`${argv.join(' ')} failed: ${stderr.trim() || err.message}`))
      else resolve(stdout)
    })
    // A command that reads no stdin may exit before we close it: EPIPE is no failure of the command.
    child.stdin?.on('error', () => {})
    child.stdin?.end(input ?? '')
  })
}

/** `ip -n NS -batch -`: many changes in one process, applied in order. */
export async function ipBatch (ns: string, lines: string[]): Promise<void> {
  if (lines.length > 0) await run(['ip', '-n', ns, '-batch', '-'], lines.join('\n') + '\n')
}

function runSync (argv: string[]): string {
  return execFileSync(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).toString()
}

function stderrOf (err: unknown): string {
  const e = err as { stderr?: Buffer, message: string }
  return e.stderr?.toString().trim() || e.message
}

/** Every network namespace on the machine, by name. */
export function listNamespaces (): string[] {
  // `ip netns list` prints "name (id: N)"; the directory is the same list without parsing.
  return existsSync('/run/netns') ? readdirSync('/run/netns') : []
}

/** Namespaces this process made that still exist (empty after a clean teardown). */
export function ownNamespaces (): string[] {
  return listNamespaces().filter(n => n.startsWith(`${NS_PREFIX}${process.pid}-`))
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Kills every process in `ns` with SIGKILL, then deletes the namespace (and so its veths). Synchronous: usable in an 'exit' handler. */
export function destroyNamespaceSync (ns: string): void {
  try {
    for (const pid of runSync(['ip', 'netns', 'pids', ns]).split('\n').map(Number).filter(p => p > 0)) {
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
    runSync(['ip', 'netns', 'del', ns])
  } catch {}
}

/** Pids of the processes running in `ns`. */
export async function namespacePids (ns: string): Promise<number[]> {
  const out = await run(['ip', 'netns', 'pids', ns]).catch(() => '')
  return out.split('\n').map(Number).filter(p => p > 0)
}

function staleName (name: string): boolean {
  const m = OURS.exec(name)
  return m != null && Number(m[1]) !== process.pid && !alive(Number(m[1]))
}

/**
 * Removes the `hyp-<pid>-…` namespaces of runs whose process is gone (a
 * crashed or SIGKILLed mocha), with whatever still runs in them, and their
 * data dirs (`<tmpdir>/hyp-<pid>-<seq>-XXXXXX`). Returns the namespaces removed.
 */
export function sweepStaleNamespaces (): string[] {
  const stale = listNamespaces().filter(staleName)
  for (const ns of stale) destroyNamespaceSync(ns)
  for (const dir of readdirSync(tmpdir()).filter(d => DATA_ROOT.test(d) && staleName(d))) {
    rmSync(join(tmpdir(), dir), { recursive: true, force: true })
  }
  return stale
}

/**
 * Namespaces made by this process and not yet torn down, removed with their
 * processes however the process ends short of SIGKILL: on exit, on a crash
 * (Node skips 'exit' handlers after an uncaught exception) and on SIGTERM or
 * SIGHUP, which are then re-raised so the process still dies of them. What a
 * SIGKILL leaves is swept by the next run.
 */
export const created = new Set<string>()

function destroyCreated (): void {
  for (const ns of created) destroyNamespaceSync(ns)
  created.clear()
}
process.on('exit', destroyCreated)
process.on('uncaughtExceptionMonitor', () => {
  // Mocha catches most uncaught errors, fails the test and runs afterEach: only a crash needs us.
  if (process.listenerCount('uncaughtException') === 0) destroyCreated()
})
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => { destroyCreated(); process.kill(process.pid, signal) })
}

let netnsReason: string | null | undefined
/**
 * Why daemons cannot run as netns hosts here, or null if they can: needs
 * Linux, root, `ip` from iproute2, and a kernel with network namespaces,
 * veth and bridges (tried once, for real, in a scratch namespace).
 */
export function netnsUnavailableReason (): string | null {
  if (netnsReason !== undefined) return netnsReason
  netnsReason = probeNetns()
  return netnsReason
}

function probeNetns (): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return `creating network namespaces needs root (running as uid ${process.getuid?.()})`
  try { runSync(['ip', '-V']) } catch { return "the 'ip' command (Debian package iproute2) is not installed" }
  const ns = `${NS_PREFIX}${process.pid}-probe`
  try {
    runSync(['ip', 'netns', 'add', ns])
    runSync(['ip', '-n', ns, 'link', 'add', 'br0', 'type', 'bridge'])
    runSync(['ip', '-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'])
    return null
  } catch (err) {
    return `cannot create a namespace with a bridge and a veth pair: ${stderrOf(err)}`
  } finally {
    destroyNamespaceSync(ns)
  }
}

let netemReason: string | null | undefined
/** Why `tc netem` cannot be used here, or null if it can (tried on a scratch namespace's loopback). */
export function netemUnavailableReason (): string | null {
  if (netemReason !== undefined) return netemReason
  netemReason = netnsUnavailableReason() ?? probeNetem()
  return netemReason
}

function probeNetem (): string | null {
  try { runSync(['tc', '-V']) } catch { return "the 'tc' command (Debian package iproute2) is not installed" }
  const ns = `${NS_PREFIX}${process.pid}-probe`
  try {
    runSync(['ip', 'netns', 'add', ns])
    runSync(['tc', '-n', ns, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])
    return null
  } catch (err) {
    return `this kernel (${runSync(['uname', '-r']).trim()}) cannot add a netem qdisc, is CONFIG_NET_SCH_NETEM missing? tc said: ${stderrOf(err)}`
  } finally {
    destroyNamespaceSync(ns)
  }
}

/** Why random packet loss cannot be added with nftables here, or null when it can. */
export function lossUnavailableReason (): string | null {
  const r = spawnSync('nft', ['--version'], { encoding: 'utf8' })
  return r.status === 0 ? null : 'the nft command is missing (Debian package nftables)'
}
