import assert from 'node:assert/strict'
import { accessSync, constants } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { delimiter, join } from 'node:path'
import { createHardwareMonitor } from '../../hardware/index.ts'
import type { HardwareMonitor, HardwareSample, InterruptionNotice } from '../../hardware/index.ts'
import { closedPortUrl, fixturePath, startMetadataServer } from '../utils/metadata-server.ts'
import type { MetadataServer } from '../utils/metadata-server.ts'
import { awsImds } from '../utils/cloud-services.ts'

function onPath (name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some(dir => {
    try {
      accessSync(join(dir, name), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

async function nextSample (hw: HardwareMonitor): Promise<HardwareSample> {
  return await new Promise(resolve => { const off = hw.on('sample', s => { off(); resolve(s) }) })
}

describe('hardware/HardwareMonitor', function () {
  this.timeout(15_000)
  let dir: string
  let hw: HardwareMonitor | undefined
  let server: MetadataServer | undefined
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'hyperion-hw-')) })
  afterEach(async () => {
    await hw?.stop()
    hw = undefined
    await server?.close()
    server = undefined
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('on this machine: detects no Jetson, no GPU, no cloud; samples real cpu, memory and disk', async () => {
    const closed = await closedPortUrl()
    const errors: string[] = []
    hw = createHardwareMonitor({
      dataDir: dir,
      intervalMs: 300,
      // Metadata services are pointed at a closed local port: tests stay on 127.0.0.1.
      cloud: { aws: { baseUrl: closed }, gcp: { baseUrl: closed }, azure: { baseUrl: closed } },
      onError: what => errors.push(what)
    })
    const first = nextSample(hw)
    await hw.start()
    const summary = hw.summary()
    assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary, 'plain JSON')
    assert.equal(summary.jetson, null)
    assert.equal(summary.cloud, null)
    assert.equal(summary.interruption, null)
    assert.equal(summary.battery, false)
    if (!onPath('nvidia-smi')) assert.deepEqual(summary.gpus, [])
    assert.equal(summary.cpu?.cores, cpus().length)
    assert.ok(Math.abs(summary.memory!.totalBytes - totalmem()) / totalmem() < 0.01)
    assert.ok(summary.disk!.totalBytes > 0)
    assert.equal(summary.disk!.path, dir)
    assert.ok(summary.network!.length >= 1)
    assert.deepEqual(summary.probes.slice(0, 3), ['cpu', 'memory', 'disk'])
    assert.ok(!summary.probes.includes('jetson') && !summary.probes.includes('interruption'))

    const s = await first
    assert.deepEqual(s.unknown, {})
    assert.ok(s.values.cpu!.loadAverage.every(n => n >= 0))
    assert.ok(s.values.memory!.availableBytes > 0)
    assert.ok(s.values.disk!.availableBytes > 0)
    assert.equal(s.values.battery, null)
    assert.equal(s.values.jetson, null)
    if (!onPath('nvidia-smi')) assert.deepEqual(s.values.gpus, [])
    assert.deepEqual(hw.latest(), s)

    const second = await nextSample(hw)
    assert.ok(second.at - s.at >= 300 - 5, 'one interval apart')
    await hw.stop()
    let late = 0
    hw.on('sample', () => { late++ })
    await new Promise(resolve => setTimeout(resolve, 400))
    assert.equal(late, 0, 'no sample after stop')
    assert.deepEqual(errors, [], 'refused metadata connections are not errors')
  })

  it('on a (recorded) Jetson with GPUs in an AWS spot instance: every probe runs, the spot notice becomes an event', async () => {
    const tegrastats = join(dir, 'tegrastats')
    await writeFile(tegrastats, `#!/bin/sh\ncat '${fixturePath('tegrastats', 'orin-agx-jp5.txt')}'\nexec sleep 30\n`)
    const nvidiaSmi = join(dir, 'nvidia-smi')
    await writeFile(nvidiaSmi, `#!/bin/sh\ncat '${fixturePath('nvidia-smi', 'a10g-x4.csv')}'\n`)
    await Promise.all([chmod(tegrastats, 0o755), chmod(nvidiaSmi, 0o755)])
    const state = { lifecycle: 'spot', action: null as string | null }
    server = await startMetadataServer(awsImds(state))
    const closed = await closedPortUrl()

    hw = createHardwareMonitor({
      dataDir: dir,
      intervalMs: 200,
      nvidiaSmi: { binary: nvidiaSmi },
      jetson: { root: fixturePath('jetson', 'orin-agx'), tegrastatsBinary: tegrastats },
      sysfsRoot: fixturePath('sysfs', 'jetson-orin'),
      cloud: { aws: { baseUrl: server.url }, gcp: { baseUrl: closed }, azure: { baseUrl: closed }, pollIntervalMs: 200 }
    })
    const notices: InterruptionNotice[] = []
    hw.on('interruption', n => notices.push(n))
    await hw.start()
    const summary = hw.summary()
    assert.deepEqual(summary.jetson, { model: 'NVIDIA Jetson AGX Orin Developer Kit', l4t: '35.4.1', board: 't186ref' })
    assert.equal(summary.gpus?.length, 4)
    assert.deepEqual(summary.gpus?.[0], { uuid: 'GPU-5b3f2e9e-1c4d-4a1a-9c1e-6f2b8d7a3c10', model: 'NVIDIA A10G', memoryTotalMiB: 23028 })
    assert.equal(summary.cloud?.provider, 'aws')
    assert.equal(summary.cloud?.lifecycle, 'spot')
    assert.deepEqual(summary.probes, ['cpu', 'memory', 'disk', 'temperature', 'gpus', 'jetson', 'interruption'])

    // The first sample waits for tegrastats' first line rather than call it stale.
    const s = await nextSample(hw)
    assert.deepEqual(s.unknown, {})
    assert.ok(s.values.jetson !== null)
    assert.equal(s.values.gpus?.length, 4)
    assert.equal(s.values.jetson.cpus.length, 12)
    assert.deepEqual(s.values.temperature, { cpuC: 48.1, maxC: 48.1 })
    assert.equal(notices.length, 0)

    state.action = 'terminate'
    const servedAt = Date.now()
    while (notices.length === 0) await new Promise(resolve => setTimeout(resolve, 10))
    assert.ok(Date.now() - servedAt <= 200 + 150, 'raised within one poll interval')
    assert.deepEqual(notices[0], { provider: 'aws', action: 'terminate', deadline: '2026-12-03T17:02:00.000Z' })
    assert.deepEqual(hw.summary().interruption, notices[0])
  })

  it('a probe that hangs costs only its own field, and the loop keeps its cadence', async () => {
    // Answers the detection query, then hangs on every later one.
    const nvidiaSmi = join(dir, 'nvidia-smi-hangs')
    const marker = join(dir, 'nvidia-smi-asked')
    await writeFile(nvidiaSmi, `#!/bin/sh\nif [ -e '${marker}' ]; then exec sleep 30; fi\ntouch '${marker}'\ncat '${fixturePath('nvidia-smi', 'na-fields.csv')}'\n`)
    await chmod(nvidiaSmi, 0o755)
    hw = createHardwareMonitor({ dataDir: dir, intervalMs: 400, probeTimeoutMs: 250, nvidiaSmi: { binary: nvidiaSmi }, cloud: false, jetson: false })
    await hw.start()
    assert.equal(hw.summary().gpus?.length, 2)
    const a = await nextSample(hw)
    const b = await nextSample(hw)
    for (const s of [a, b]) {
      assert.deepEqual(s.unknown, { gpus: 'PROBE_TIMEOUT' })
      assert.equal(s.values.gpus, null)
      assert.ok(s.values.cpu !== null && s.values.memory !== null && s.values.disk !== null)
      assert.ok(s.tookMs >= 250 && s.tookMs < 400, `took ${s.tookMs}`)
    }
    assert.ok(Math.abs(b.at - a.at - 400) < 50, `${b.at - a.at} ms apart`)
  })

  it('sampleNow() needs start(); summary() before start() is all unknown', async () => {
    hw = createHardwareMonitor({ dataDir: dir, cloud: false })
    assert.equal(hw.summary().cpu, null)
    assert.deepEqual(hw.summary().probes, [])
    await assert.rejects(hw.sampleNow(), { code: 'HARDWARE_NOT_STARTED', message: 'sampleNow() needs the hardware monitor started: call start() first' })
  })

  it('a bad option fails start() and leaves nothing running', async () => {
    hw = createHardwareMonitor({ dataDir: dir, intervalMs: -1, cloud: false, nvidiaSmi: false, jetson: false })
    await assert.rejects(hw.start(), { code: 'HARDWARE_INVALID_OPTION', message: /intervalMs: must be a finite number > 0: current value is -1/ })
    assert.deepEqual(hw.summary().probes, [])
  })

  it('stop() during start() wins: no loop starts afterwards', async () => {
    hw = createHardwareMonitor({ dataDir: dir, intervalMs: 100, cloud: false, nvidiaSmi: false, jetson: false })
    let samples = 0
    hw.on('sample', () => { samples++ })
    const starting = hw.start()
    await hw.stop()
    await starting
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(samples, 0)
  })
})
