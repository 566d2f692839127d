import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Writes a file so that a crash leaves either the old content or the new,
 * never half of it: write a temp file, fsync, rename over, fsync the dir.
 * Keys and certificates go through here, with their mode set at creation.
 */
export function writeFileAtomic (path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', mode)
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  const dirFd = openSync(dirname(path), 'r')
  try {
    fsyncSync(dirFd)
  } finally {
    closeSync(dirFd)
  }
}

/** Data dirs hold private keys: only their owner may enter. */
export function ensurePrivateDir (path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 })
}
