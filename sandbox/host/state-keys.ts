// The state objects the host sends to sandbox processes: each one's canonical text (what crosses,
// held to the bounds of a state) and its key. A state is taken as given once (it must not be
// changed after it is handed to an environment), so its object stands for its content: the text is
// written once per object (and memory limit), and a process that has seen the key finds the loaded
// state by it without reading the text (canonicalising a task's state on every reset was a tenth of
// a sandbox process's time under load).
import { canonicalStateText } from "../shared/canonical-state.ts";
import { SandboxError } from "../shared/sandbox-error.ts";
import { boundsDetails, StateBoundsError } from "../shared/state-checks.ts";

let nextKey = 1;
const sent = new WeakMap<object, { key: number; text: string; memoryMb: number }>();

/**
 * The canonical text and key of a state to send to an isolate of `memoryMb`. A state past the
 * bounds (too deep, too large for the isolate, a number JSON cannot write, a `__proto__` key) is a
 * SandboxError naming the bound and the place.
 */
export function stateToSend(state: object, memoryMb: number): { key: number; text: string } {
  const known = sent.get(state);
  // A text written within a larger isolate's bound is checked again for a smaller one.
  if (known !== undefined && known.memoryMb <= memoryMb) return known;
  let text: string;
  try {
    text = canonicalStateText(state, memoryMb);
  } catch (error) {
    if (!(error instanceof StateBoundsError)) throw error;
    throw new SandboxError(error.message, { details: boundsDetails(error) });
  }
  const entry = { key: known?.key ?? nextKey++, text, memoryMb };
  sent.set(state, entry);
  return entry;
}
