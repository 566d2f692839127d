import assert from 'node:assert/strict'
import { cpus, totalmem } from 'node:os'
import { readdirSync, readFileSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import {
  cpuProbe, diskProbe, memoryProbe, networkProbe, osProbe, readBattery, readTemperature
} from '../../hardware/system/probes.ts'
import { loadavg } from 'node:os'

const signal = (): AbortSignal => new AbortController().signal

/** These run against this machine, through systeminformation: real figures, checked against Node's own view. */
describe('hardware/system probes on this machine', function () {
  this.timeout(10_000)

  it('cpu: model, arch and cores as Node sees them; load in 0–100', async () => {
    const p = cpuProbe({ loadavg, cpuTimes: () => cpus().map(c => c.times) })
    const facts = await p.readStatic!(signal())
    assert.equal(facts.cores, cpus().length)
    assert.equal(facts.arch, process.arch)
    assert.ok(facts.model.length > 0)
    assert.ok(facts.physicalCores >= 1 && facts.physicalCores <= facts.cores)
    const s = await p.sample!(signal())
    // Construction took the first reading; some time on the counters has passed since.
    assert.ok(s.loadPercent !== null && s.loadPercent >= 0 && s.loadPercent <= 100, `load ${s.loadPercent}`)
    assert.equal(s.loadAverage.length, 3)
  })

  it('memory: total within 1% of os.totalmem(), available below it', async () => {
    const p = memoryProbe()
    const { totalBytes } = await p.readStatic!(signal())
    assert.ok(Math.abs(totalBytes - totalmem()) / totalmem() < 0.01)
    const s = await p.sample!(signal())
    assert.ok(s.availableBytes > 0 && s.availableBytes <= totalBytes)
    assert.equal(s.usedBytes + s.availableBytes, totalBytes)
  })

  it('disk: the data dir\'s filesystem, as statfs reports it', async () => {
    const dir = tmpdir()
    const p = diskProbe(dir)
    const facts = await p.readStatic!(signal())
    const ref = statfsSync(dir)
    assert.equal(facts.path, dir)
    assert.equal(facts.totalBytes, ref.blocks * ref.bsize)
    const s = await p.sample!(signal())
    assert.ok(s.availableBytes > 0 && s.availableBytes <= s.freeBytes && s.freeBytes <= facts.totalBytes)
  })

  it('disk: a data dir that does not exist fails the probe', async () => {
    await assert.rejects(diskProbe('/no/such/hyperion/dir').sample!(signal()), { code: 'ENOENT' })
  })

  it('network: lists the loopback interface', async () => {
    const ifaces = await networkProbe().readStatic!(signal())
    const lo = ifaces.find(i => i.internal && i.ipv4 === '127.0.0.1')
    assert.ok(lo, JSON.stringify(ifaces))
  })

  it('os: platform and kernel', async () => {
    const o = await osProbe().readStatic!(signal())
    assert.equal(o.platform, process.platform)
    assert.ok(o.kernel.length > 0)
  })

  it('battery: present exactly when the kernel lists a Battery power supply', async () => {
    const kernelHasBattery = listDir('/sys/class/power_supply')
      .some(d => readOr(`/sys/class/power_supply/${d}/type`).trim() === 'Battery')
    const battery = await readBattery()
    assert.equal(battery !== null, kernelHasBattery, JSON.stringify(battery))
    if (battery !== null) assert.ok(battery.percent >= 0 && battery.percent <= 100)
  })

  it('temperature: null where the kernel exposes no thermal zone or hwmon sensor', async () => {
    const t = await readTemperature()
    const kernelHasSensors = listDir('/sys/class/thermal').some(d => d.startsWith('thermal_zone')) || listDir('/sys/class/hwmon').length > 0
    if (!kernelHasSensors) assert.equal(t, null)
    if (t !== null) assert.ok(t.maxC !== null && t.maxC > 0 && t.maxC < 150)
  })
})

function listDir (path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

function readOr (path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
