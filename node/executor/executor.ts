/**
 * Runs the replicas assigned to this node. `ensure` is declarative: it starts
 * what is assigned and not running (or running an older spec) and stops what
 * is no longer assigned. Make-before-break is the scheduler's business: by
 * the time a replica leaves the list its replacement already runs elsewhere.
 *
 * A replica is every container of the workload's template, each kept to the
 * restartPolicy by its own Supervisor; the replica's status is the summary
 * of theirs (see `summarize`).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../../protocol/clock.ts'
import { systemClock } from '../../protocol/clock.ts'
import type { Workload } from '../../protocol/manifest/index.ts'
import { Cgroups } from './cgroups.ts'
import type { CgroupsInit, CgroupSupport } from './cgroups.ts'
import { ContainerDriver, detectContainerRuntimes } from './container-driver.ts'
import type { ContainerRuntime, DetectOptions } from './container-driver.ts'
import { ExecutorNotRunningError, ReplicaNotFoundError, ReplicaSpecError } from './errors.ts'
import { ExecDriver, containerLogDir } from './exec-driver.ts'
import type { Driver } from './exec-driver.ts'
import { readLogs } from './log-reader.ts'
import type { LogChunk } from './log-reader.ts'
import type { RotatingLogInit } from './rotating-log.ts'
import { summarize } from './summary.ts'
import type { ReplicaStatus } from './summary.ts'
import { Supervisor } from './supervisor.ts'

export interface ReplicaAssignment {
  readonly workload: string
  readonly index: number
  /** The normalised workload; a different `specHash` restarts the replica. */
  readonly spec: Workload
  /** Carried into the status, for the status entry. */
  readonly generation?: number
}

export interface ExecutorComponents {
  clock?: Clock
}

export interface ExecutorInit {
  dataDir: string
  /** Called on every status change of a replica. */
  onStatus?: (status: ReplicaStatus) => void
  /** What a replica gets between SIGTERM and SIGKILL. @default 10_000 */
  stopGraceMs?: number
  log?: RotatingLogInit
  /** `false`: never use cgroups (limits reported as not enforced, with that reason). */
  cgroups?: CgroupsInit | false
  /** `false`: no container driver, without probing. */
  containerRuntimes?: DetectOptions | false
  /** @default 1_000 */
  backoffInitialMs?: number
  /** @default 60_000 */
  backoffMaxMs?: number
  /** @default 600_000 */
  resetAfterMs?: number
  /** How often `logs --follow` looks for new output. @default 200 */
  logPollMs?: number
}

interface Replica {
  readonly assignment: ReplicaAssignment
  readonly supervisors: Map<string, Supervisor>
  status: ReplicaStatus
}

export class Executor {
  private readonly clock: Clock
  private readonly init: ExecutorInit
  private readonly replicas = new Map<string, Replica>()
  private exec: ExecDriver | undefined
  private container: ContainerDriver | undefined
  private cgroupSupport: CgroupSupport = { available: false, reason: 'executor not started' }
  private running = false
  private ensuring: Promise<void> = Promise.resolve()

  constructor (components: ExecutorComponents, init: ExecutorInit) {
    this.clock = components.clock ?? systemClock
    this.init = init
  }

  /** Probes cgroups and container runtimes; both are facts of the node until it restarts. */
  async start (): Promise<void> {
    if (this.running) return
    let cgroups: Cgroups | undefined
    if (this.init.cgroups === false) {
      this.cgroupSupport = { available: false, reason: 'cgroups disabled in the executor configuration' }
    } else {
      cgroups = new Cgroups(this.init.cgroups)
      this.cgroupSupport = await cgroups.detect()
    }
    this.exec = new ExecDriver({ clock: this.clock, cgroups }, {
      dataDir: this.init.dataDir, log: this.init.log, noLimitsReason: this.cgroupSupport.available ? undefined : this.cgroupSupport.reason
    })
    const runtimes: ContainerRuntime[] = this.init.containerRuntimes === false ? [] : await detectContainerRuntimes(this.init.containerRuntimes)
    const runtime = runtimes[0]
    this.container = runtime === undefined ? undefined : new ContainerDriver({ runtime, clock: this.clock }, { dataDir: this.init.dataDir, log: this.init.log })
    this.running = true
  }

  /** Stops every replica gracefully (in parallel) and leaves no process behind. */
  async stop (): Promise<void> {
    this.running = false
    await this.ensuring
    await Promise.all([...this.replicas.keys()].map(async key => { await this.stopReplica(key) }))
  }

  /** For the node's facts: `['exec']` or `['exec', 'podman']`. */
  drivers (): string[] {
    return this.container === undefined ? ['exec'] : ['exec', this.container.name]
  }

  /** Why limits are (not) enforced on exec replicas: for the node's facts and `describe`. */
  limitsSupport (): CgroupSupport {
    return this.cgroupSupport
  }

  /**
   * Makes the running set equal `replicas`. Calls are applied one after the
   * other, in call order, so an older list never overrides a newer one.
   */
  async ensure (replicas: readonly ReplicaAssignment[]): Promise<void> {
    if (!this.running) throw new ExecutorNotRunningError()
    const turn = this.ensuring.then(async () => { await this.apply(replicas) })
    this.ensuring = turn.catch(() => {})
    await turn
  }

  private async apply (replicas: readonly ReplicaAssignment[]): Promise<void> {
    if (!this.running) return
    const wanted = new Map(replicas.map(r => [replicaKey(r.workload, r.index), r]))
    const stops: Array<Promise<void>> = []
    for (const [key, replica] of this.replicas) {
      const next = wanted.get(key)
      if (next === undefined || next.spec.specHash !== replica.assignment.spec.specHash) stops.push(this.stopReplica(key))
    }
    await Promise.all(stops)
    if (!this.running) return
    for (const [key, assignment] of wanted) {
      if (!this.replicas.has(key)) this.startReplica(key, assignment)
    }
  }

  list (): ReplicaStatus[] {
    return [...this.replicas.values()].map(r => r.status)
  }

  /**
   * Output of one container of a replica (the first unless named), from its
   * log files; with `follow`, new output until `signal` aborts or the replica
   * stops running here.
   */
  logs (workload: string, index: number, opts: { follow?: boolean, container?: string, signal?: AbortSignal } = {}): AsyncIterable<LogChunk> {
    const key = replicaKey(workload, index)
    const container = opts.container ?? this.replicas.get(key)?.assignment.spec.manifest.spec.template.spec.containers[0]?.name
    const dir = container === undefined ? undefined : containerLogDir(this.init.dataDir, workload, index, container)
    const live = this.replicas.get(key)
    if (dir === undefined || (live === undefined && !existsSync(dir))) throw new ReplicaNotFoundError(workload, index)
    return readLogs({ stdout: join(dir, 'stdout.log'), stderr: join(dir, 'stderr.log') }, this.clock, {
      follow: opts.follow,
      signal: opts.signal,
      pollMs: this.init.logPollMs,
      maxFiles: this.init.log?.maxFiles,
      done: () => live === undefined || this.replicas.get(key) !== live || [...live.supervisors.values()].every(s => s.finished)
    })
  }

  private startReplica (key: string, assignment: ReplicaAssignment): void {
    const containers = assignment.spec.manifest.spec.template.spec.containers
    const replica: Replica = {
      assignment,
      supervisors: new Map(),
      status: { workload: assignment.workload, index: assignment.index, generation: assignment.generation, state: 'pending', restarts: 0, containers: {} }
    }
    this.replicas.set(key, replica)
    const statuses: Record<string, Supervisor['status']> = {}
    const report = (): void => {
      replica.status = summarize(assignment.workload, assignment.index, assignment.generation, statuses)
      if (this.replicas.get(key) === replica || replica.status.state === 'stopped') this.init.onStatus?.(replica.status)
    }
    for (const container of containers) {
      const resources = assignment.spec.resources.containers.find(c => c.name === container.name)
      const limits = { cpuMillis: resources?.cpuMillis ?? 0, memoryBytes: resources?.memoryBytes ?? 0 }
      const supervisor = new Supervisor({
        clock: this.clock,
        start: async () => await this.driverFor(container.image).run({ workload: assignment.workload, index: assignment.index, container, limits })
      }, {
        restartPolicy: assignment.spec.manifest.spec.restartPolicy,
        onStatus: s => { statuses[container.name] = s; report() },
        backoffInitialMs: this.init.backoffInitialMs,
        backoffMaxMs: this.init.backoffMaxMs,
        resetAfterMs: this.init.resetAfterMs
      })
      statuses[container.name] = supervisor.status
      replica.supervisors.set(container.name, supervisor)
    }
    for (const supervisor of replica.supervisors.values()) supervisor.start()
  }

  private async stopReplica (key: string): Promise<void> {
    const replica = this.replicas.get(key)
    if (replica === undefined) return
    const grace = this.init.stopGraceMs ?? 10_000
    await Promise.all([...replica.supervisors.values()].map(async s => { await s.stop(grace) }))
    if (this.replicas.get(key) === replica) this.replicas.delete(key)
  }

  private driverFor (image: string | undefined): Driver {
    if (image === undefined) return this.exec as ExecDriver
    if (this.container === undefined) {
      throw new ReplicaSpecError('NO_CONTAINER_RUNTIME', `image ${image} needs a container runtime (podman, docker or nerdctl) and this node has none that works`)
    }
    return this.container
  }
}

export function replicaKey (workload: string, index: number): string {
  return `${workload}/${index}`
}
