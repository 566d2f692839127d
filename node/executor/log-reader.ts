/**
 * Reads a replica's log files as chunks: first what is on disk (rotated
 * files oldest first, then the live one; stdout before stderr), then with
 * `follow` whatever is appended, polling, until the signal aborts or
 * `done()` says the replica is gone (what it wrote last is still read).
 * A rotation while following is noticed by the live file's inode changing:
 * the rest of the old file (now `name.1`) is read before the new one.
 */
import { open, stat } from 'node:fs/promises'
import type { Clock } from '../../protocol/clock.ts'
import { logFiles } from './rotating-log.ts'

export type LogStream = 'stdout' | 'stderr'

export interface LogChunk {
  readonly stream: LogStream
  readonly data: Buffer
}

export interface ReadLogsOptions {
  follow?: boolean
  signal?: AbortSignal
  /** @default 200 */
  pollMs?: number
  /** Rotated files per log, as the writer keeps them. @default 3 */
  maxFiles?: number
  /** Following ends once this is true and the files are drained. */
  done?: () => boolean
}

interface Cursor { stream: LogStream, path: string, ino: number | undefined, offset: number }

export async function * readLogs (files: Record<LogStream, string>, clock: Clock, opts: ReadLogsOptions = {}): AsyncGenerator<LogChunk> {
  const cursors: Cursor[] = []
  for (const stream of ['stdout', 'stderr'] as const) {
    const live = files[stream]
    for (const file of logFiles(live, opts.maxFiles)) {
      if (file === live) continue
      const data = await readFrom(file, 0)
      if (data !== undefined && data.length > 0) yield { stream, data }
    }
    const cursor: Cursor = { stream, path: live, ino: undefined, offset: 0 }
    yield * drain(cursor, opts.maxFiles)
    cursors.push(cursor)
  }
  if (opts.follow !== true) return
  while (opts.signal?.aborted !== true) {
    const finished = opts.done?.() ?? false
    for (const cursor of cursors) yield * drain(cursor, opts.maxFiles)
    if (finished) return
    await sleep(clock, opts.pollMs ?? 200, opts.signal)
  }
}

async function * drain (cursor: Cursor, maxFiles: number | undefined): AsyncGenerator<LogChunk> {
  const now = await stat(cursor.path).catch(() => undefined)
  if (now === undefined) return
  if (cursor.ino !== undefined && now.ino !== cursor.ino) {
    // Rotated since the last look, maybe more than once: finish the file we
    // were reading (now `name.k`), then every newer one, then the live one.
    const rotated = logFiles(cursor.path, maxFiles).slice(0, -1).reverse() // name.1, name.2 …
    const inodes = await Promise.all(rotated.map(async f => (await stat(f).catch(() => undefined))?.ino))
    const k = inodes.indexOf(cursor.ino)
    for (let i = k; i >= 0; i--) {
      const data = await readFrom(rotated[i] as string, i === k ? cursor.offset : 0)
      if (data !== undefined && data.length > 0) yield { stream: cursor.stream, data }
    }
    cursor.offset = 0
  }
  cursor.ino = now.ino
  if (now.size < cursor.offset) cursor.offset = 0
  const data = await readFrom(cursor.path, cursor.offset)
  if (data !== undefined && data.length > 0) {
    cursor.offset += data.length
    yield { stream: cursor.stream, data }
  }
}

async function readFrom (path: string, offset: number): Promise<Buffer | undefined> {
  const handle = await open(path, 'r').catch(() => undefined)
  if (handle === undefined) return undefined
  try {
    const { size } = await handle.stat()
    if (size <= offset) return Buffer.alloc(0)
    const buf = Buffer.alloc(size - offset)
    const { bytesRead } = await handle.read(buf, 0, buf.length, offset)
    return buf.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

async function sleep (clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>(resolve => {
    const onAbort = (): void => { clock.clearTimeout(timer); resolve() }
    const timer = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
