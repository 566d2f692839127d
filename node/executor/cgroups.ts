/**
 * cgroup v2 limits for exec replicas. The node enforces `memory.max` and
 * `cpu.max` only where the unified hierarchy offers the cpu and memory
 * controllers AND we may create a child group and enable them in its
 * parent's subtree_control; otherwise `detect()` says why, and every replica
 * reports `{enforced: false, reason}` (never silently unlimited).
 *
 * Layout: `<our cgroup>/hyperion/<workload>-<index>-<container>/`. A replica
 * joins its group before `exec` (see `wrapCommand`), so nothing it forks
 * can escape the limits by racing the daemon.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface CgroupsInit {
  /** Where `self/mounts` and `self/cgroup` are read; tests point it at a fake tree. @default '/proc' */
  procRoot?: string
  /** Name of the group under ours that holds every replica's group. @default 'hyperion' */
  groupName?: string
  /** cpu.max period in µs: the kernel default, short enough that throttling is smooth. @default 100_000 */
  cpuPeriodUs?: number
}

export type CgroupSupport =
  | { readonly available: true, readonly parent: string }
  | { readonly available: false, readonly reason: string }

export type LimitsReport =
  | { readonly enforced: true, readonly by: string, readonly memoryMax?: string, readonly cpuMax?: string }
  | { readonly enforced: false, readonly reason: string }

export interface ReplicaCgroup {
  readonly path: string
  readonly limits: LimitsReport
  /** Kills whatever is left in the group, then removes it; false when the kernel kept it (logged by the caller). */
  remove: () => Promise<boolean>
}

const NEEDED = ['cpu', 'memory'] as const

export class Cgroups {
  private readonly procRoot: string
  private readonly groupName: string
  private readonly cpuPeriodUs: number
  private support: Promise<CgroupSupport> | undefined

  constructor (init: CgroupsInit = {}) {
    this.procRoot = init.procRoot ?? '/proc'
    this.groupName = init.groupName ?? 'hyperion'
    this.cpuPeriodUs = init.cpuPeriodUs ?? 100_000
  }

  /** Probes once; later calls return the same answer. */
  async detect (): Promise<CgroupSupport> {
    this.support ??= this.probe().catch((err: unknown) => ({ available: false as const, reason: `cgroup v2 probe failed: ${(err as Error).message}` }))
    return await this.support
  }

  /** A group for one replica with its limits written; `available: false` gives a report with the reason and no group. */
  async create (name: string, limits: { cpuMillis: number, memoryBytes: number }): Promise<ReplicaCgroup | { readonly limits: LimitsReport }> {
    const support = await this.detect()
    if (!support.available) return { limits: { enforced: false, reason: support.reason } }
    const path = join(support.parent, name)
    await mkdir(path, { recursive: true })
    const memoryMax = limits.memoryBytes > 0 ? String(limits.memoryBytes) : 'max'
    const cpuMax = limits.cpuMillis > 0
      ? `${Math.max(1000, Math.round(limits.cpuMillis * this.cpuPeriodUs / 1000))} ${this.cpuPeriodUs}`
      : `max ${this.cpuPeriodUs}`
    try {
      await writeFile(join(path, 'memory.max'), memoryMax)
      await writeFile(join(path, 'cpu.max'), cpuMax)
    } catch (err) {
      await rmdir(path).catch(() => {})
      return { limits: { enforced: false, reason: `could not write limits into ${path}: ${(err as Error).message}` } }
    }
    return { path, limits: { enforced: true, by: 'cgroup-v2', memoryMax, cpuMax }, remove: async () => await removeGroup(path) }
  }

  private async probe (): Promise<CgroupSupport> {
    const mounts = await readFile(join(this.procRoot, 'self/mounts'), 'utf8')
    const mount = mounts.split('\n').map(l => l.split(' ')).find(f => f[2] === 'cgroup2')?.[1]
    if (mount === undefined) return { available: false, reason: 'no cgroup v2 hierarchy is mounted' }
    const own = (await readFile(join(this.procRoot, 'self/cgroup'), 'utf8').catch(() => ''))
      .split('\n').find(l => l.startsWith('0::'))?.slice(3) ?? '/'
    const base = own !== '/' && existsSync(join(mount, own, 'cgroup.controllers')) ? join(mount, own) : mount
    const offered = (await readFile(join(base, 'cgroup.controllers'), 'utf8')).trim().split(/\s+/).filter(Boolean)
    const missing = NEEDED.filter(c => !offered.includes(c))
    if (missing.length > 0) {
      return {
        available: false,
        reason: `cgroup v2 at ${base} does not offer ${missing.join(', ')} (offers: ${offered.join(', ') || 'none'}); ` +
          'on a hybrid host they are bound to cgroup v1, and a container needs cgroup delegation'
      }
    }
    const parent = join(base, this.groupName)
    try {
      await enable(base)
      await mkdir(parent, { recursive: true })
      await enable(parent)
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const hint = e.code === 'EBUSY' ? ` (${base} holds processes: run the daemon in a delegated cgroup, e.g. systemd Delegate=yes)` : ''
      return { available: false, reason: `cannot create and enable cpu, memory in ${parent}: ${e.code ?? e.message}${hint}` }
    }
    return { available: true, parent }
  }
}

async function enable (group: string): Promise<void> {
  const file = join(group, 'cgroup.subtree_control')
  const enabled = (await readFile(file, 'utf8').catch(() => '')).trim().split(/\s+/)
  const wanted = NEEDED.filter(c => !enabled.includes(c))
  if (wanted.length > 0) await writeFile(file, wanted.map(c => `+${c}`).join(' '))
}

async function removeGroup (path: string): Promise<boolean> {
  await writeFile(join(path, 'cgroup.kill'), '1').catch(() => {})
  // The kernel empties a group asynchronously after its last task exits.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await rmdir(path)
      return true
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return true
      if (code !== 'EBUSY') return false
      await sleep(25)
    }
  }
  return false
}

/**
 * The argv that runs `command` inside the group: a shell writes its own pid
 * into `cgroup.procs`, then execs the command, so the command starts already
 * limited. A refused write fails the replica with the shell's message.
 */
export function wrapCommand (cgroupPath: string, command: string, args: readonly string[]): { command: string, args: string[] } {
  return { command: '/bin/sh', args: ['-c', 'echo $$ > "$0" && exec "$@"', join(cgroupPath, 'cgroup.procs'), command, ...args] }
}
