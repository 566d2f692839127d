import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { connect } from 'node:net'
import { DataDirLockedError } from './errors.ts'

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One daemon per data dir: a pid file created exclusively. A pid file left
 * by a crashed daemon (its process gone) is taken over; a live one refuses.
 * Returns the release function.
 */
export function lockDataDir (lockPath: string, dataDir: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return () => {
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath)
        } catch {}
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10)
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
        throw new DataDirLockedError(`another hyperion daemon (pid ${pid}) is already running on ${dataDir}; stop it first, or use another --data-dir`)
      }
      unlinkSync(lockPath)
    }
  }
  throw new DataDirLockedError(`could not lock ${dataDir}: ${lockPath} keeps reappearing`)
}

/**
 * A socket file left by a crashed daemon makes listen() fail with EADDRINUSE.
 * Remove it, but only after checking that nobody answers on it: it may be
 * another daemon's, pointed here with --admin-socket.
 */
export async function clearStaleSocket (socketPath: string): Promise<void> {
  if (!existsSync(socketPath)) return
  const answered = await new Promise<boolean>(resolve => {
    const sock = connect(socketPath)
    sock.once('connect', () => { sock.destroy(); resolve(true) })
    sock.once('error', () => { resolve(false) })
  })
  if (answered) throw new DataDirLockedError(`another daemon is listening on ${socketPath}; stop it first, or pass another --admin-socket`)
  unlinkSync(socketPath)
}
