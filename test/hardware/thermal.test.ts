import assert from 'node:assert/strict'
import { readSysfsTemperatures } from '../../hardware/system/thermal.ts'
import { fixturePath } from '../utils/metadata-server.ts'

describe('hardware/sysfs temperatures', () => {
  it('x86 laptop: coretemp and x86_pkg_temp are the CPU, the hottest of all is the max; an empty input is skipped', async () => {
    assert.deepEqual(await readSysfsTemperatures(fixturePath('sysfs', 'x86-laptop')), { cpuC: 59, maxC: 59 })
  })

  it('Jetson Orin: thermal zones only, the -256 °C "no sensor" zone left out', async () => {
    assert.deepEqual(await readSysfsTemperatures(fixturePath('sysfs', 'jetson-orin')), { cpuC: 48.1, maxC: 48.1 })
  })

  it('a VM without sensors: null, not an invented reading', async () => {
    assert.equal(await readSysfsTemperatures(fixturePath('sysfs', 'vm-none')), null)
    assert.equal(await readSysfsTemperatures(fixturePath('sysfs', 'no-such-root')), null)
  })
})
