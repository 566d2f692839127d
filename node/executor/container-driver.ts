/**
 * The container driver: a container spec with an image runs through the
 * podman, docker or nerdctl CLI, whichever this node has AND can talk to
 * (`<bin> info` answers within a short timeout: a docker client without an
 * engine is no runtime). Absent when none works, never faked.
 *
 * The replica is `<bin> run --rm` in the foreground, so its output, exit
 * code and lifetime flow through the same process machinery as the exec
 * driver; stop asks the runtime (`<bin> stop -t <grace>`), which owns the
 * container's processes.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants, mkdirSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Clock } from '../../protocol/clock.ts'
import { systemClock } from '../../protocol/clock.ts'
import { ReplicaSpecError } from './errors.ts'
import { containerLogDir, replicaDir } from './exec-driver.ts'
import type { Driver, RunRequest } from './exec-driver.ts'
import { spawnLogged } from './process-run.ts'
import type { ProcessRun } from './process-run.ts'
import type { RotatingLogInit } from './rotating-log.ts'

/** In order of preference: daemonless and rootless-friendly first. */
export const CONTAINER_RUNTIMES = ['podman', 'docker', 'nerdctl'] as const
export type ContainerRuntimeName = typeof CONTAINER_RUNTIMES[number]

export interface ContainerRuntime {
  readonly name: ContainerRuntimeName
  /** Absolute path of the CLI. */
  readonly bin: string
}

export interface DetectOptions {
  /** Directories searched for the CLIs. @default process.env.PATH */
  path?: string
  /** `info` slower than this counts as not working (an engine that hangs is no engine). @default 3_000 */
  timeoutMs?: number
}

/** Every runtime whose CLI is installed and whose `info` succeeds, in preference order. */
export async function detectContainerRuntimes (opts: DetectOptions = {}): Promise<ContainerRuntime[]> {
  const dirs = (opts.path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean)
  const found = await Promise.all(CONTAINER_RUNTIMES.map(async name => {
    const bin = dirs.map(d => join(d, name)).find(isExecutable)
    if (bin === undefined) return undefined
    return await answers(bin, opts.timeoutMs ?? 3_000) ? { name, bin } : undefined
  }))
  return found.filter(r => r !== undefined)
}

function isExecutable (file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

async function answers (bin: string, timeoutMs: number): Promise<boolean> {
  return await new Promise(resolve => {
    execFile(bin, ['info'], { timeout: timeoutMs, killSignal: 'SIGKILL', env: { PATH: process.env.PATH ?? '' } }, err => { resolve(err === null) })
  })
}

export interface ContainerDriverInit {
  dataDir: string
  log?: RotatingLogInit
}

/** Names are stable per (workload, index, container), so a stale one from a crashed daemon is replaced. */
export function containerName (req: Pick<RunRequest, 'workload' | 'index' | 'container'>): string {
  return `hyperion-${req.workload}-${req.index}-${req.container.name}`
}

/** The CLI arguments of `run`; the runtime enforces the limits. */
export function runArgs (req: RunRequest): string[] {
  const args = ['run', '--rm', '--name', containerName(req), '--label', `io.hyperion.workload=${req.workload}`]
  if (req.limits.memoryBytes > 0) args.push('--memory', `${req.limits.memoryBytes}b`)
  if (req.limits.cpuMillis > 0) args.push('--cpus', (req.limits.cpuMillis / 1000).toString())
  for (const { name, value } of req.container.env) args.push('--env', `${name}=${value}`)
  if (req.container.workingDir !== undefined) args.push('--workdir', req.container.workingDir)
  const [entrypoint, ...rest] = req.container.command ?? []
  if (entrypoint !== undefined) args.push('--entrypoint', entrypoint)
  args.push(req.container.image ?? '', ...rest, ...req.container.args)
  return args
}

export class ContainerDriver implements Driver {
  readonly name: ContainerRuntimeName
  private readonly runtime: ContainerRuntime
  private readonly clock: Clock
  private readonly init: ContainerDriverInit

  constructor (components: { runtime: ContainerRuntime, clock?: Clock }, init: ContainerDriverInit) {
    this.runtime = components.runtime
    this.name = components.runtime.name
    this.clock = components.clock ?? systemClock
    this.init = init
  }

  async run (req: RunRequest): Promise<ProcessRun> {
    if (req.container.image === undefined) {
      throw new ReplicaSpecError('NO_CONTAINER_RUNTIME', `container ${req.container.name} of ${req.workload} has no image: run it with the exec driver`)
    }
    const dir = replicaDir(this.init.dataDir, req.workload, req.index)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const name = containerName(req)
    await this.cli(['rm', '-f', name], 10_000)
    const limits = { enforced: true as const, by: this.runtime.name }
    return await spawnLogged({
      command: this.runtime.bin,
      args: runArgs(req),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir },
      cwd: dir,
      logDir: containerLogDir(this.init.dataDir, req.workload, req.index, req.container.name),
      log: this.init.log,
      limits,
      clock: this.clock,
      gracefulStop: graceMs => { void this.cli(['stop', '-t', String(Math.ceil(graceMs / 1000)), name], graceMs + 10_000) }
    })
  }

  private async cli (args: string[], timeoutMs: number): Promise<boolean> {
    return await new Promise(resolve => {
      execFile(this.runtime.bin, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, err => { resolve(err === null) })
    })
  }
}
