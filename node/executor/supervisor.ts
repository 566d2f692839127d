/**
 * Keeps one container of one replica to its restartPolicy. Each run goes
 * starting → running → succeeded | failed; a run that is restarted waits an
 * exponential backoff first (1 s, 2 s, 4 s … 60 s), and a run that stayed up
 * for `resetAfterMs` counts as healthy, so the next crash starts again at 1 s.
 * Every transition is reported through `onStatus`, states from REPLICA_STATES.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts'
import type { RESTART_POLICIES } from '../../protocol/manifest/index.ts'
import type { ReplicaState } from '../../protocol/state/entries.ts'
import type { LimitsReport } from './cgroups.ts'
import type { ExitInfo, ProcessRun } from './process-run.ts'

export type RestartPolicy = typeof RESTART_POLICIES[number]

export interface ContainerStatus {
  readonly state: ReplicaState
  readonly restarts: number
  /** Wall-clock ms when the current (or last) run started. */
  readonly startedAt?: number
  readonly exitCode?: number
  readonly signal?: string
  readonly pid?: number
  readonly message?: string
  readonly limits?: LimitsReport
}

export interface SupervisorComponents {
  clock: Clock
  /** Starts one run; a rejection counts as a failed run. */
  start: () => Promise<ProcessRun>
}

export interface SupervisorInit {
  restartPolicy: RestartPolicy
  onStatus?: (status: ContainerStatus) => void
  /** @default 1_000 */
  backoffInitialMs?: number
  /** A crash-looping replica still gets a try every minute. @default 60_000 */
  backoffMaxMs?: number
  /** Running this long makes a run healthy: the backoff starts over. @default 600_000 (10 min) */
  resetAfterMs?: number
}

/** Pure, for tables: the wait before restart number `attempt` (0-based). */
export function restartDelay (attempt: number, initialMs = 1_000, maxMs = 60_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30))
}

export function shouldRestart (policy: RestartPolicy, exit: ExitInfo): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0)
}

export class Supervisor {
  private readonly clock: Clock
  private readonly startRun: () => Promise<ProcessRun>
  private readonly init: SupervisorInit
  private current: ContainerStatus = { state: 'pending', restarts: 0 }
  private run: ProcessRun | undefined
  private timer: TimerHandle | undefined
  private attempt = 0
  private stopped = false
  /** The policy ended it: succeeded or failed for good. */
  private done = false
  private starting: Promise<void> | undefined

  constructor (components: SupervisorComponents, init: SupervisorInit) {
    this.clock = components.clock
    this.startRun = components.start
    this.init = init
  }

  get status (): ContainerStatus {
    return this.current
  }

  /** True once it will not run again: its policy ended it, or it was stopped. */
  get finished (): boolean {
    return this.done || this.stopped
  }

  start (): void {
    this.emit({ state: 'pending', restarts: 0 })
    this.launch()
  }

  /** Stops for good: no more restarts; a running process gets `graceMs` to exit. */
  async stop (graceMs: number): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    await this.starting
    const run = this.run
    if (run === undefined) {
      if (!this.done) this.emit({ ...this.current, state: 'stopped', pid: undefined })
      return
    }
    const exit = await run.stop(graceMs)
    this.emit({ ...this.current, state: 'stopped', pid: undefined, ...exitFields(exit) })
  }

  private launch (): void {
    this.emit({ ...this.current, state: 'starting', exitCode: undefined, signal: undefined, message: undefined, pid: undefined })
    this.starting = this.startRun().then(run => {
      this.run = run
      const startedAt = this.clock.now()
      this.emit({ ...this.current, state: 'running', startedAt, pid: run.pid, limits: run.limits })
      void run.exited.then(exit => { this.onExit(run, startedAt, exit) })
    }, (err: unknown) => {
      this.afterRun({ exitCode: null, signal: null }, `cannot start: ${(err as Error).message}`)
    })
  }

  private onExit (run: ProcessRun, startedAt: number, exit: ExitInfo): void {
    if (this.run !== run) return
    this.run = undefined
    if (this.stopped) return // stop() reports how it ended
    if (this.clock.now() - startedAt >= (this.init.resetAfterMs ?? 600_000)) this.attempt = 0
    this.afterRun(exit, undefined)
  }

  private afterRun (exit: ExitInfo, startError: string | undefined): void {
    if (this.stopped) return
    const ok = startError === undefined && exit.exitCode === 0
    const state: ReplicaState = ok ? 'succeeded' : 'failed'
    const how = startError ?? (exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${String(exit.exitCode)}`)
    if (startError !== undefined ? this.init.restartPolicy === 'Never' : !shouldRestart(this.init.restartPolicy, exit)) {
      this.done = true
      this.emit({ ...this.current, state, pid: undefined, ...exitFields(exit), message: how })
      return
    }
    const delay = restartDelay(this.attempt++, this.init.backoffInitialMs, this.init.backoffMaxMs)
    this.emit({ ...this.current, state, pid: undefined, ...exitFields(exit), message: `${how}; restarting in ${delay} ms (restartPolicy ${this.init.restartPolicy})` })
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      if (this.stopped) return
      this.current = { ...this.current, restarts: this.current.restarts + 1 }
      this.launch()
    }, delay)
  }

  private emit (status: ContainerStatus): void {
    const clean = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as unknown as ContainerStatus
    this.current = clean
    this.init.onStatus?.(clean)
  }
}

function exitFields (exit: ExitInfo): { exitCode?: number, signal?: string } {
  return { exitCode: exit.exitCode ?? undefined, signal: exit.signal ?? undefined }
}
