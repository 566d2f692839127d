/**
 * An append-only log file capped in size: when a write would take it past
 * `maxBytes`, `name` becomes `name.1`, `name.1` becomes `name.2`… and the
 * oldest beyond `maxFiles` is dropped. Writes are synchronous so that chunks
 * land in order and a crash loses nothing already handed over; replica output
 * arrives in pipe-sized chunks (≤ 64 KiB), so each write is short.
 */
import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'

export interface RotatingLogInit {
  /** Bytes per file before it rotates. @default 10 MiB */
  maxBytes?: number
  /** Rotated files kept besides the live one (`name.1` … `name.N`). @default 3 */
  maxFiles?: number
}

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024
export const DEFAULT_LOG_MAX_FILES = 3

export class RotatingLog {
  private readonly path: string
  private readonly maxBytes: number
  private readonly maxFiles: number
  private fd: number | undefined
  private size = 0

  constructor (path: string, init: RotatingLogInit = {}) {
    this.path = path
    this.maxBytes = Math.max(1, init.maxBytes ?? DEFAULT_LOG_MAX_BYTES)
    this.maxFiles = Math.max(0, init.maxFiles ?? DEFAULT_LOG_MAX_FILES)
  }

  write (chunk: Uint8Array): void {
    let offset = 0
    while (offset < chunk.length) {
      const fd = this.open()
      if (this.size >= this.maxBytes) { this.rotate(); continue }
      const n = Math.min(chunk.length - offset, this.maxBytes - this.size)
      writeSync(fd, chunk, offset, n)
      this.size += n
      offset += n
    }
  }

  close (): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  /** Creates the file if needed; writes do this themselves. */
  open (): number {
    if (this.fd === undefined) {
      this.fd = openSync(this.path, 'a', 0o600)
      this.size = fstatSync(this.fd).size
    }
    return this.fd
  }

  private rotate (): void {
    this.close()
    if (this.maxFiles === 0) {
      rmSync(this.path, { force: true })
    } else {
      rmSync(`${this.path}.${this.maxFiles}`, { force: true })
      for (let i = this.maxFiles - 1; i >= 1; i--) renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`)
      renameIfExists(this.path, `${this.path}.1`)
    }
    this.size = 0
  }
}

function renameIfExists (from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/** The files of one log, oldest first: `name.N` … `name.1`, `name`. */
export function logFiles (path: string, maxFiles: number = DEFAULT_LOG_MAX_FILES): string[] {
  const files: string[] = []
  for (let i = maxFiles; i >= 1; i--) files.push(`${path}.${i}`)
  files.push(path)
  return files
}
