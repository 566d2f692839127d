import assert from 'node:assert/strict'
import { detectJetson, parseTegraRelease } from '../../hardware/jetson/detect.ts'
import { fixturePath } from '../utils/metadata-server.ts'

describe('hardware/jetson detection', () => {
  it('reads the model (without its NUL) and the L4T release of an Orin', async () => {
    assert.deepEqual(await detectJetson({ root: fixturePath('jetson', 'orin-agx') }),
      { model: 'NVIDIA Jetson AGX Orin Developer Kit', l4t: '35.4.1', board: 't186ref' })
  })

  it('reads an L4T 32 Xavier NX', async () => {
    assert.deepEqual(await detectJetson({ root: fixturePath('jetson', 'xavier-nx-l4t32') }),
      { model: 'NVIDIA Jetson Xavier NX Developer Kit', l4t: '32.7.4', board: 't186ref' })
  })

  it('a Jetson model without nv_tegra_release (custom image) is still a Jetson, release unknown', async () => {
    assert.deepEqual(await detectJetson({ root: fixturePath('jetson', 'orin-no-release') }),
      { model: 'NVIDIA Jetson Orin Nano Developer Kit', l4t: null, board: null })
  })

  it('another ARM board with a device tree is not a Jetson', async () => {
    assert.equal(await detectJetson({ root: fixturePath('jetson', 'raspberry-pi') }), null)
  })

  it('this machine is not a Jetson', async () => {
    assert.equal(await detectJetson(), null)
  })

  it('parses JetPack 6 release lines and rejects others', () => {
    assert.deepEqual(parseTegraRelease('# R36 (release), REVISION: 3.0, GCID: 36923193, BOARD: generic, EABI: aarch64, DATE: Fri Jul 19 23:24:25 UTC 2024\n'),
      { l4t: '36.3.0', board: 'generic' })
    assert.equal(parseTegraRelease('Ubuntu 22.04'), null)
  })
})
