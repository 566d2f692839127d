/**
 * The exec driver: a container spec without an image runs as a plain
 * process of this node. Working directory `<dataDir>/replicas/<workload>-<index>/`
 * (0700), output under its `logs/<container>/`, limits through cgroup v2
 * where the node can (see cgroups.ts) and reported as not enforced where not.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../../protocol/clock.ts'
import { systemClock } from '../../protocol/clock.ts'
import type { ContainerSpec } from '../../protocol/manifest/index.ts'
import { wrapCommand } from './cgroups.ts'
import type { Cgroups, LimitsReport } from './cgroups.ts'
import { ReplicaSpecError } from './errors.ts'
import { spawnLogged } from './process-run.ts'
import type { ProcessRun } from './process-run.ts'
import type { RotatingLogInit } from './rotating-log.ts'

/** What a driver needs to start one container of one replica. */
export interface RunRequest {
  readonly workload: string
  readonly index: number
  readonly container: ContainerSpec
  readonly limits: { readonly cpuMillis: number, readonly memoryBytes: number }
}

export interface Driver {
  readonly name: string
  run: (req: RunRequest) => Promise<ProcessRun>
}

export interface ExecDriverComponents {
  clock?: Clock
  /** Absent: limits are reported as not enforced with that reason. */
  cgroups?: Cgroups
}

export interface ExecDriverInit {
  dataDir: string
  log?: RotatingLogInit
  /** Variables of the daemon's own environment a replica inherits; the manifest's `env` comes on top. @default ['PATH', 'LANG', 'TZ'] */
  inheritEnv?: readonly string[]
  /** Reported when no Cgroups is given. @default 'cgroups are not in use on this node' */
  noLimitsReason?: string
}

export function replicaDir (dataDir: string, workload: string, index: number): string {
  return join(dataDir, 'replicas', `${workload}-${index}`)
}

export function containerLogDir (dataDir: string, workload: string, index: number, container: string): string {
  return join(replicaDir(dataDir, workload, index), 'logs', container)
}

export class ExecDriver implements Driver {
  readonly name = 'exec'
  private readonly clock: Clock
  private readonly cgroups: Cgroups | undefined
  private readonly init: ExecDriverInit

  constructor (components: ExecDriverComponents, init: ExecDriverInit) {
    this.clock = components.clock ?? systemClock
    this.cgroups = components.cgroups
    this.init = init
  }

  async run (req: RunRequest): Promise<ProcessRun> {
    const [command, ...commandArgs] = req.container.command ?? []
    if (command === undefined) {
      throw new ReplicaSpecError('NO_COMMAND', `container ${req.container.name} of ${req.workload} has no command: the exec driver runs only containers with command (and no image)`)
    }
    const dir = replicaDir(this.init.dataDir, req.workload, req.index)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const env: Record<string, string> = {}
    for (const name of this.init.inheritEnv ?? ['PATH', 'LANG', 'TZ']) {
      const value = process.env[name]
      if (value !== undefined) env[name] = value
    }
    Object.assign(env, { HOME: dir, HYPERION_WORKLOAD: req.workload, HYPERION_REPLICA: String(req.index) })
    for (const { name, value } of req.container.env) env[name] = value

    let argv = { command, args: [...commandArgs, ...req.container.args] }
    let limits: LimitsReport = { enforced: false, reason: this.init.noLimitsReason ?? 'cgroups are not in use on this node' }
    let cleanup: (() => Promise<void>) | undefined
    if (this.cgroups !== undefined) {
      const group = await this.cgroups.create(`${req.workload}-${req.index}-${req.container.name}`, req.limits)
      limits = group.limits
      if ('path' in group) {
        argv = wrapCommand(group.path, argv.command, argv.args)
        cleanup = async () => { await group.remove() }
      }
    }
    return await spawnLogged({
      ...argv,
      env,
      cwd: req.container.workingDir ?? dir,
      logDir: containerLogDir(this.init.dataDir, req.workload, req.index, req.container.name),
      log: this.init.log,
      limits,
      clock: this.clock,
      cleanup
    })
  }
}
