import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { RotatingLog, logFiles, readLogs } from '../../../node/executor/index.ts'
import { systemClock } from '../../../protocol/clock.ts'
import { collect, removeScratch, scratch } from './helpers.ts'

describe('executor: rotating log', () => {
  after(removeScratch)
  it('caps each file at maxBytes, keeps maxFiles rotated files and drops the oldest', () => {
    const path = join(scratch(), 'stdout.log')
    const log = new RotatingLog(path, { maxBytes: 10, maxFiles: 2 })
    for (let i = 0; i < 5; i++) log.write(Buffer.from(`line-${i}...\n`)) // 10 bytes each
    log.write(Buffer.from('tail'))
    log.close()
    assert.equal(readFileSync(path, 'utf8'), 'tail')
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'line-4...\n')
    assert.equal(readFileSync(`${path}.2`, 'utf8'), 'line-3...\n')
    assert.equal(existsSync(`${path}.3`), false)
    for (const f of logFiles(path, 2)) assert.ok(statSync(f).size <= 10)
  })

  it('splits a chunk larger than the cap across files and continues an existing file after a restart', () => {
    const path = join(scratch(), 'stdout.log')
    const first = new RotatingLog(path, { maxBytes: 8, maxFiles: 3 })
    first.write(Buffer.from('abc'))
    first.close()
    const second = new RotatingLog(path, { maxBytes: 8, maxFiles: 3 })
    second.write(Buffer.from('defghijklmnop'))
    second.close()
    assert.deepEqual(logFiles(path, 3).filter(f => existsSync(f)).map(f => readFileSync(f, 'utf8')).join(''), 'abcdefghijklmnop')
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'abcdefgh')
  })

  it('reads rotated files oldest first, and follows across a rotation', async () => {
    const dir = scratch()
    const out = join(dir, 'stdout.log')
    const log = new RotatingLog(out, { maxBytes: 6, maxFiles: 3 })
    log.write(Buffer.from('aaaaaabbbbbb'))
    assert.equal(await collect(readLogs({ stdout: out, stderr: join(dir, 'stderr.log') }, systemClock)), 'aaaaaabbbbbb')

    let done = false
    const following = collect(readLogs({ stdout: out, stderr: join(dir, 'stderr.log') }, systemClock, { follow: true, pollMs: 20, done: () => done }))
    await new Promise(resolve => setTimeout(resolve, 60))
    log.write(Buffer.from('cccccc')) // fills the live file, next write rotates
    log.write(Buffer.from('dd'))
    await new Promise(resolve => setTimeout(resolve, 60))
    log.write(Buffer.from('eeee'))
    log.close()
    done = true
    assert.equal(await following, 'aaaaaabbbbbbccccccddeeee')
  })
})
