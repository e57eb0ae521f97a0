// The order in which waiting keys reach the workers: first in, first out within a namespace, and
// round-robin between namespaces. On a shared cluster one tenant creating thousands of ImageSpecs
// at once must not make another tenant's edit wait behind all of them: with one FIFO it waited for
// the whole backlog; here it waits for at most one key of each other namespace with work queued.

/** The namespace of a "namespace/name" key (cluster-scoped keys, "/name", share the lane ""). */
export function laneOf(key: string): string {
  const slash = key.indexOf('/');
  return slash === -1 ? '' : key.slice(0, slash);
}

/** A FIFO whose removals cost O(1): a head index, and the array compacted once half is consumed. */
class Fifo {
  private items: string[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: string): void {
    this.items.push(item);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class FairQueue {
  private readonly lanes = new Map<string, Fifo>();
  /** Lanes with keys waiting, in the order they take their next turn. */
  private readonly turns = new Fifo();
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(key: string): void {
    const lane = laneOf(key);
    let fifo = this.lanes.get(lane);
    if (!fifo) {
      fifo = new Fifo();
      this.lanes.set(lane, fifo);
    }
    if (fifo.size === 0) this.turns.push(lane);
    fifo.push(key);
    this.total += 1;
  }

  shift(): string | undefined {
    const lane = this.turns.shift();
    if (lane === undefined) return undefined;
    const fifo = this.lanes.get(lane)!;
    const key = fifo.shift()!;
    this.total -= 1;
    if (fifo.size > 0) this.turns.push(lane);
    else this.lanes.delete(lane);
    return key;
  }
}
