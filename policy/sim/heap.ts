/**
 * Min-heap of events ordered by (time, seq): ties break by insertion order,
 * so a simulation never depends on the heap's internal layout.
 */
export interface Timed {
  time: number
  seq: number
}

export class EventHeap<T extends Timed> {
  private readonly items: T[] = []

  get size (): number {
    return this.items.length
  }

  push (item: T): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(a[i] as T, a[p] as T)) break
      swap(a, i, p)
      i = p
    }
  }

  pop (): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length === 0 || last === undefined) return top
    a[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < a.length && before(a[l] as T, a[m] as T)) m = l
      if (r < a.length && before(a[r] as T, a[m] as T)) m = r
      if (m === i) break
      swap(a, i, m)
      i = m
    }
    return top
  }
}

function before (x: Timed, y: Timed): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq)
}

function swap<T> (a: T[], i: number, j: number): void {
  const t = a[i] as T
  a[i] = a[j] as T
  a[j] = t
}
