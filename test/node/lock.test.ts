import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { clearStaleSocket, lockDataDir } from '../../node/lock.ts'
import { tempDir } from '../utils/harness.ts'

describe('data dir lock', () => {
  it('lets one holder in and tells a second who holds it', () => {
    const dir = tempDir()
    const path = join(dir, 'daemon.pid')
    const release = lockDataDir(path, dir)
    // Pretend another live process (our parent) holds it.
    writeFileSync(path, `${process.ppid}\n`)
    assert.throws(() => lockDataDir(path, dir), new RegExp(`another hyperion daemon \\(pid ${process.ppid}\\) is already running on ${dir}`))
    writeFileSync(path, `${process.pid}\n`)
    release()
    assert.equal(existsSync(path), false)
  })

  it('takes over the pid file of a daemon that died', () => {
    const dir = tempDir()
    const path = join(dir, 'daemon.pid')
    writeFileSync(path, '999999999\n')
    const release = lockDataDir(path, dir)
    release()
  })

  it('removes a stale socket but refuses a live one', async () => {
    const dir = tempDir()
    const sock = join(dir, 'admin.sock')
    const server = createServer()
    await new Promise<void>(resolve => server.listen(sock, resolve))
    await assert.rejects(clearStaleSocket(sock), /another daemon is listening on/)
    // Simulate a crash: the file stays, nobody listens.
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    writeFileSync(sock, '')
    await clearStaleSocket(sock)
    assert.equal(existsSync(sock), false)
  })
})
