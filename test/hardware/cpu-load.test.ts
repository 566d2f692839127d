import assert from 'node:assert/strict'
import { CpuLoadMeter } from '../../hardware/system/cpu-load.ts'
import type { CoreTimes } from '../../hardware/system/cpu-load.ts'

const core = (user: number, sys: number, idle: number, nice = 0, irq = 0): CoreTimes => ({ user, nice, sys, idle, irq })

describe('hardware/CpuLoadMeter', () => {
  const cases: Array<{ name: string, readings: CoreTimes[][], want: Array<number | null> }> = [
    { name: 'idle machine', readings: [[core(0, 0, 0)], [core(0, 0, 1000)]], want: [0] },
    { name: 'one core of two busy', readings: [[core(0, 0, 0), core(0, 0, 0)], [core(800, 200, 0), core(0, 0, 1000)]], want: [50] },
    { name: 'nice and irq count as busy', readings: [[core(0, 0, 0)], [core(100, 100, 600, 100, 100)]], want: [40] },
    { name: 'each reading is since the previous one', readings: [[core(0, 0, 0)], [core(1000, 0, 0)], [core(1000, 0, 1000)]], want: [100, 0] },
    { name: 'no time on the counters says nothing', readings: [[core(5, 5, 5)], [core(5, 5, 5)]], want: [null] },
    { name: 'counters going backwards (core unplugged) say nothing', readings: [[core(500, 0, 500), core(500, 0, 500)], [core(600, 0, 600)]], want: [null] },
    { name: 'rounds to hundredths', readings: [[core(0, 0, 0)], [core(1, 0, 2)]], want: [33.33] }
  ]
  for (const c of cases) {
    it(c.name, () => {
      const readings = [...c.readings]
      const meter = new CpuLoadMeter(() => readings.shift()!)
      assert.deepEqual(c.want.map(() => meter.percent()), c.want)
    })
  }
})
