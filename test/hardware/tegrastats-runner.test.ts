import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TegrastatsRunner } from '../../hardware/jetson/tegrastats-runner.ts'
import { FakeClock } from '../utils/fake-clock.ts'
import { fixturePath } from '../utils/metadata-server.ts'

async function until (what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('hardware/TegrastatsRunner', function () {
  let dir: string
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'hyperion-tegra-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  /**
   * A stand-in for tegrastats: records its pid and arguments, prints the
   * recorded Orin lines, then keeps running as tegrastats does until killed.
   */
  async function fakeTegrastats (): Promise<string> {
    const path = join(dir, 'tegrastats')
    await writeFile(path, [
      '#!/bin/sh',
      `echo "$$ $*" > '${join(dir, 'started')}'`,
      `cat '${fixturePath('tegrastats', 'orin-nano-jp6.txt')}'`,
      'echo "not a tegrastats line"',
      'exec sleep 30'
    ].join('\n') + '\n')
    await chmod(path, 0o755)
    return path
  }

  it('runs tegrastats --interval N, keeps the latest line, and stops it', async () => {
    const clock = new FakeClock()
    const errors: unknown[] = []
    const runner = new TegrastatsRunner({ clock }, { binary: await fakeTegrastats(), intervalMs: 500, onError: e => errors.push(e) })
    runner.start()
    await until('lines', () => runner.rejectedLines === 1)
    const [pid, ...args] = (await readFile(join(dir, 'started'), 'utf8')).trim().split(' ')
    assert.deepEqual(args, ['--interval', '500'])
    const s = await runner.probe().sample!(new AbortController().signal)
    assert.equal(s.timestamp, '12-03-2026 16:47:03', 'the latest good line, not the bad one after it')
    assert.equal(errors.length, 1)

    // Without a new line for longer than 3 intervals, the reading is stale, not repeated.
    await clock.advance(1501)
    assert.throws(() => runner.current(), { code: 'PROBE_STALE' })

    await runner.stop()
    assert.equal(alive(Number(pid)), false, 'tegrastats was stopped')
    assert.equal(clock.pending, 0)
  })

  it('a sample taken right after start waits for the first line; later, a missing line is stale at once', async () => {
    const clock = new FakeClock()
    const path = join(dir, 'tegrastats-slow')
    await writeFile(path, `#!/bin/sh\nsleep 0.2\nhead -n 1 '${fixturePath('tegrastats', 'nano.txt')}'\nexec sleep 30\n`)
    await chmod(path, 0o755)
    const runner = new TegrastatsRunner({ clock }, { binary: path, intervalMs: 1000 })
    runner.start()
    const s = await runner.probe().sample!(new AbortController().signal)
    assert.equal(s.ram.totalMiB, 3964)
    await runner.stop()

    const late = new TegrastatsRunner({ clock }, { binary: join(dir, 'missing') })
    late.start()
    await clock.advance(3001)
    await assert.rejects(late.probe().sample!(new AbortController().signal), { code: 'PROBE_STALE' })
    await late.stop()
  })

  it('with no tegrastats binary, reports the error and has no reading', async () => {
    const clock = new FakeClock()
    const errors: unknown[] = []
    const runner = new TegrastatsRunner({ clock }, { binary: join(dir, 'missing'), onError: e => errors.push(e) })
    runner.start()
    await until('the spawn error', () => errors.length > 0)
    assert.equal((errors[0] as NodeJS.ErrnoException).code, 'ENOENT')
    assert.throws(() => runner.current(), { code: 'PROBE_STALE' })
    await runner.stop()
    assert.equal(clock.pending, 0, 'stop cancels the restart')
  })

  it('starts tegrastats again after it exits', async () => {
    const clock = new FakeClock()
    const path = join(dir, 'tegrastats-once')
    const count = join(dir, 'count')
    await writeFile(path, `#!/bin/sh\necho x >> '${count}'\nhead -n 1 '${fixturePath('tegrastats', 'tx2.txt')}'\n`)
    await chmod(path, 0o755)
    const runner = new TegrastatsRunner({ clock }, { binary: path, restartDelayMs: 5000 })
    runner.start()
    await until('the first exit', () => clock.pending === 1)
    await clock.advance(5000)
    await until('the second run', () => clock.pending === 1)
    assert.equal((await readFile(count, 'utf8')).trim().split('\n').length, 2)
    await runner.stop()
    assert.equal(clock.pending, 0)
  })
})
