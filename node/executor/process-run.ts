/**
 * One spawned process group with its output in rotating log files. The
 * process is the leader of a new session (detached), so one signal to the
 * group reaches every descendant: `stop` sends SIGTERM, then SIGKILL after
 * the grace period, and when the leader exits for any reason whatever it
 * left behind in its group is killed. `exited` resolves once the output is
 * fully written and any cleanup (cgroup removal) has run.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../../protocol/clock.ts'
import { SpawnError } from './errors.ts'
import { RotatingLog } from './rotating-log.ts'
import type { RotatingLogInit } from './rotating-log.ts'
import type { LimitsReport } from './cgroups.ts'

export interface ExitInfo {
  /** null when a signal ended it. */
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
}

/** A started replica process, whatever driver started it. */
export interface ProcessRun {
  readonly pid: number
  readonly limits: LimitsReport
  readonly exited: Promise<ExitInfo>
  /** Graceful stop; resolves with how it ended. Safe to call twice or after exit. */
  stop: (graceMs: number) => Promise<ExitInfo>
}

export interface SpawnLoggedOptions {
  command: string
  args: readonly string[]
  env: Record<string, string>
  cwd: string
  /** Directory of `stdout.log` and `stderr.log` (created 0700). */
  logDir: string
  log?: RotatingLogInit
  limits: LimitsReport
  clock: Clock
  /** Runs after exit, before `exited` resolves. */
  cleanup?: () => Promise<void>
  /** Replaces SIGTERM-to-the-group as the first step of `stop` (a container runtime's `stop`). */
  gracefulStop?: (graceMs: number) => void
}

export async function spawnLogged (opts: SpawnLoggedOptions): Promise<ProcessRun> {
  mkdirSync(opts.logDir, { recursive: true, mode: 0o700 })
  const out = new RotatingLog(join(opts.logDir, 'stdout.log'), opts.log)
  const err = new RotatingLog(join(opts.logDir, 'stderr.log'), opts.log)
  out.open()
  err.open()
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']
  })
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', reject)
    })
  } catch (e) {
    out.close()
    err.close()
    await opts.cleanup?.()
    throw new SpawnError(`cannot run ${JSON.stringify(opts.command)}: ${(e as Error).message}`, { cause: e })
  }
  const pid = child.pid as number
  child.stdout.on('data', (chunk: Buffer) => { writeLog(out, chunk) })
  child.stderr.on('data', (chunk: Buffer) => { writeLog(err, chunk) })

  const exited = new Promise<ExitInfo>(resolve => {
    let info: ExitInfo = { exitCode: null, signal: null }
    child.once('exit', (exitCode, signal) => {
      info = { exitCode, signal }
      killGroup(pid, 'SIGKILL')
    })
    child.once('close', () => {
      out.close()
      err.close()
      void (opts.cleanup?.() ?? Promise.resolve()).finally(() => { resolve(info) })
    })
  })

  let stopping: Promise<ExitInfo> | undefined
  const stop = async (graceMs: number): Promise<ExitInfo> => {
    stopping ??= (async () => {
      if (opts.gracefulStop !== undefined) opts.gracefulStop(graceMs)
      else killGroup(pid, 'SIGTERM')
      const timer = opts.clock.setTimeout(() => { killGroup(pid, 'SIGKILL') }, graceMs)
      try {
        return await exited
      } finally {
        opts.clock.clearTimeout(timer)
      }
    })()
    return await stopping
  }
  return { pid, limits: opts.limits, exited, stop }
}

/**
 * A full or failing disk must not take the replica (or the daemon) down with
 * it: the output is dropped and the log shows a gap; the rotation that
 * frees space on the next write lets it continue.
 */
function writeLog (log: RotatingLog, chunk: Buffer): void {
  try {
    log.write(chunk)
  } catch {
    log.close()
  }
}

/** Signals the whole group; a group already gone is not an error. */
export function killGroup (pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch (e) {
    // ESRCH: already gone; EPERM: the id now belongs to someone else's group, so ours is gone too.
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'ESRCH' && code !== 'EPERM') throw e
  }
}
