/**
 * Whether this machine is an NVIDIA Jetson, and which: the device tree names the
 * board, and L4T writes its release to /etc/nv_tegra_release. Other ARM boards
 * (Raspberry Pi, Rockchip) have a device-tree model too, so the model alone is
 * a Jetson only when it says so.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface JetsonFacts {
  /** The device tree's model, e.g. "NVIDIA Jetson AGX Orin Developer Kit". */
  model: string | null
  /** L4T release as `major.revision`, e.g. "35.4.1"; null without nv_tegra_release. */
  l4t: string | null
  /** The BOARD field of nv_tegra_release, e.g. "t186ref", "generic". */
  board: string | null
}

export interface JetsonDetectInit {
  /**
   * Prefix of /proc and /etc, so tests can point at a recorded tree.
   * @default '/'
   */
  root?: string
}

/** `# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: …` */
export function parseTegraRelease (text: string): { l4t: string, board: string | null } | null {
  const m = /^#\s*R(\d+)\s*\(release\),\s*REVISION:\s*(\d+(?:\.\d+)*)/m.exec(text)
  if (m === null) return null
  const board = /BOARD:\s*([^,\s]+)/.exec(text)
  return { l4t: `${m[1]}.${m[2]}`, board: board?.[1] ?? null }
}

export async function detectJetson (init: JetsonDetectInit = {}): Promise<JetsonFacts | null> {
  const root = init.root ?? '/'
  const [modelRaw, release] = await Promise.all([
    readOptional(join(root, 'proc/device-tree/model')),
    readOptional(join(root, 'etc/nv_tegra_release'))
  ])
  // The device tree stores strings NUL-terminated.
  const model = modelRaw?.replace(/\0+$/, '').trim() ?? null
  const parsed = release === null ? null : parseTegraRelease(release)
  const modelSaysJetson = model !== null && /\b(jetson|nvidia)\b/i.test(model)
  if (parsed === null && !modelSaysJetson) return null
  return { model: model === '' ? null : model, l4t: parsed?.l4t ?? null, board: parsed?.board ?? null }
}

async function readOptional (path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return null
    throw err
  }
}
