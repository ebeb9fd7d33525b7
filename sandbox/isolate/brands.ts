// Marks only the bootstrap can put on objects, with private class fields: ~25× cheaper than a
// WeakSet per object, invisible to tool code, impossible to forge, and never carried by a proxy.

/** A base class whose constructor returns its argument, so subclasses add private fields to it. */
class Stamp {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point: fields land on `target`
    return target;
  }
}

/**
 * Committed data: validated JSON, copied from what the tool gave, deep-frozen; the mark holds its
 * height (levels of objects and arrays in it, itself included), so data moved deeper is checked
 * against the state's depth bound without a walk.
 */
let markingHeight = 0;
class CommittedMark extends Stamp {
  #height = markingHeight;
  static is(value: object): boolean {
    return #height in value;
  }
  static mark<T extends object>(value: T, height: number): T {
    if (!(#height in value)) {
      markingHeight = height;
      new CommittedMark(value);
    }
    return value;
  }
  static heightOf(value: object): number {
    return (value as CommittedMark).#height;
  }
}
export const isCommitted = CommittedMark.is;
export const markCommitted = CommittedMark.mark;
export const heightOf = CommittedMark.heightOf;

/** A table the current episode copied to write into (read tools see it through a guard bound to their call). */
class OwnedMark extends Stamp {
  #owned = true;
  static is(value: object): boolean {
    return #owned in value;
  }
  static mark<T extends object>(value: T): T {
    if (!(#owned in value)) new OwnedMark(value);
    return value;
  }
}
export const isOwned = OwnedMark.is;
export const markOwned = OwnedMark.mark;

/** The bookkeeping behind one of our proxies, attached to the proxy and to its (empty) target. */
let attaching: unknown = null;
class StateMark extends Stamp {
  #state: unknown = attaching;
  static attach(value: object, state: unknown): void {
    attaching = state;
    new StateMark(value);
    attaching = null;
  }
  static of(value: object): unknown {
    return #state in value ? (value as StateMark).#state : undefined;
  }
}
export const attachState = StateMark.attach;
export const stateOf = StateMark.of;
