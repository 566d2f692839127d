import assert from 'node:assert/strict'
import { parseTegrastatsLine } from '../../hardware/jetson/tegrastats-parse.ts'
import { fixture } from '../utils/metadata-server.ts'

function lines (name: string): string[] {
  return fixture('tegrastats', name).split('\n').filter(l => l.trim() !== '')
}

describe('hardware/tegrastats parser', () => {
  it('TX2 (L4T 28–32): cores off, plain mW rails, no timestamp', () => {
    const [idle, busy] = lines('tx2.txt').map(parseTegrastatsLine)
    assert.equal(idle!.timestamp, null)
    assert.deepEqual(idle!.ram, { usedMiB: 2086, totalMiB: 7854 })
    assert.deepEqual(idle!.swap, { usedMiB: 0, totalMiB: 3927 })
    assert.equal(idle!.cpus.length, 6)
    assert.deepEqual(idle!.cpus.slice(0, 3), [{ loadPercent: 1, freqMHz: 345 }, null, null])
    assert.deepEqual(idle!.gpu, { loadPercent: 0, freqMHz: 114 })
    assert.equal(idle!.temperaturesC.gpu, 35.5)
    assert.equal(idle!.temperaturesC.thermal, 36.4)
    assert.deepEqual(idle!.powerMw.VDD_IN, { currentMw: 2437, averageMw: 2437 })
    assert.equal(idle!.totalPowerMw, 2437)
    assert.deepEqual(busy!.gpu, { loadPercent: 99, freqMHz: 1300 })
    assert.deepEqual(busy!.powerMw.VDD_SYS_GPU, { currentMw: 4190, averageMw: 2171 })
    assert.equal(busy!.totalPowerMw, 9982)
  })

  it('Nano: IRAM is memory, not a power rail; POM_5V_IN is the input', () => {
    const [idle, busy] = lines('nano.txt').map(parseTegrastatsLine)
    assert.equal(idle!.powerMw.IRAM, undefined)
    assert.equal(idle!.totalPowerMw, 2509)
    assert.deepEqual(Object.keys(idle!.powerMw).sort(), ['POM_5V_CPU', 'POM_5V_GPU', 'POM_5V_IN'])
    assert.deepEqual(busy!.cpus, [100, 98, 100, 97].map(l => ({ loadPercent: l, freqMHz: 1479 })))
    assert.deepEqual(busy!.emc, { loadPercent: 18, freqMHz: 1600 })
    assert.deepEqual(busy!.swap, { usedMiB: 12, totalMiB: 1982 })
  })

  it('Xavier AGX: drops the GPU@-51C non-reading, has no input rail so no total', () => {
    const [s] = lines('xavier-agx.txt').map(parseTegrastatsLine)
    assert.equal(s!.temperaturesC.gpu, undefined)
    assert.equal(s!.temperaturesC.cpu, 42)
    assert.deepEqual(s!.cpus.slice(3), [{ loadPercent: 10, freqMHz: 2035 }, null, null, null, null])
    assert.deepEqual(s!.powerMw.GPU, { currentMw: 2285, averageMw: 2285 })
    assert.deepEqual(s!.powerMw.SYS5V, { currentMw: 1963, averageMw: 1963 })
    assert.equal(s!.totalPowerMw, null)
  })

  it('Xavier NX: loads without a frequency', () => {
    const [s] = lines('xavier-nx.txt').map(parseTegrastatsLine)
    assert.deepEqual(s!.emc, { loadPercent: 0, freqMHz: null })
    assert.deepEqual(s!.gpu, { loadPercent: 0, freqMHz: null })
    assert.equal(s!.totalPowerMw, 4762)
  })

  it('Orin AGX (JetPack 5): timestamp, @[f,f] per GPC, mW/mW, -256C sensors left out', () => {
    const [idle, busy] = lines('orin-agx-jp5.txt').map(parseTegrastatsLine)
    assert.equal(idle!.timestamp, '12-03-2026 16:45:10')
    assert.equal(idle!.cpus.length, 12)
    assert.equal(idle!.cpus.filter(c => c === null).length, 8)
    assert.deepEqual(idle!.gpu, { loadPercent: 0, freqMHz: 305 })
    assert.deepEqual(idle!.powerMw.VDD_GPU_SOC, { currentMw: 2806, averageMw: 2806 })
    assert.equal(idle!.temperaturesC.cv0, undefined)
    assert.equal(idle!.temperaturesC.gpu, undefined)
    assert.equal(idle!.temperaturesC.tj, 48.062)
    assert.equal(idle!.totalPowerMw, null, 'Orin AGX prints no VDD_IN')
    assert.deepEqual(busy!.gpu, { loadPercent: 99, freqMHz: 1300 })
    assert.equal(busy!.temperaturesC.gpu, 61.843)
    assert.deepEqual(busy!.emc, { loadPercent: 38, freqMHz: 3199 })
  })

  it('Orin Nano (JetPack 6): lower-case sensors, NVENC off / NVDEC 1113 ignored, VDD_IN in mW', () => {
    const [idle, busy] = lines('orin-nano-jp6.txt').map(parseTegrastatsLine)
    assert.deepEqual(idle!.temperaturesC, { cpu: 47.5, soc2: 43.843, soc0: 44.218, gpu: 41.968, tj: 47.5, soc1: 44.187 })
    assert.equal(idle!.totalPowerMw, 4523)
    assert.deepEqual(idle!.gpu, { loadPercent: 0, freqMHz: 305 })
    assert.deepEqual(Object.keys(busy!.powerMw).sort(), ['VDD_CPU_GPU_CV', 'VDD_IN', 'VDD_SOC'])
    assert.deepEqual(busy!.powerMw.VDD_IN, { currentMw: 13874, averageMw: 9198 })
    assert.equal(busy!.cpus.every(c => c !== null && c.freqMHz === 1510), true)
    assert.deepEqual(busy!.swap, { usedMiB: 210, totalMiB: 3810 })
  })

  it('rejects lines that are not tegrastats output, saying what is missing', () => {
    assert.throws(() => parseTegrastatsLine('tegrastats: command not found'),
      { code: 'TEGRASTATS_PARSE', message: /must contain 'RAM used\/totalMB'/ })
    assert.throws(() => parseTegrastatsLine('RAM 1/2MB CPU [12%@1,banana]'),
      { code: 'TEGRASTATS_PARSE', message: /CPU\[1\]: must be 'off', 'N%' or 'N%@MHz': current value is "banana"/ })
    assert.throws(() => parseTegrastatsLine('RAM 1/2MB CPU [120%@100]'),
      { code: 'TEGRASTATS_PARSE', message: /load must be 0–100%/ })
    assert.throws(() => parseTegrastatsLine('RAM 1/2MB ' + 'x'.repeat(5000)), { code: 'TEGRASTATS_PARSE' })
  })
})
