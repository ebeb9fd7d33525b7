// Keys for the state objects the host sends to sandbox processes. A state is taken as given once
// (it must not be changed after it is handed to an environment), so its object stands for its
// content: the first time a process sees a key it canonicalises the state to find or load it, and
// every later reset to the same object finds it by the key (canonicalising a task's state on every
// reset was a tenth of a sandbox process's time under load).
let nextKey = 1;
const keys = new WeakMap<object, number>();

export function stateKey(state: object): number {
  let key = keys.get(state);
  if (key === undefined) {
    key = nextKey++;
    keys.set(state, key);
  }
  return key;
}
