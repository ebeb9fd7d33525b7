// The state objects the host sends to sandbox processes: each one's canonical text (what crosses,
// held to the bounds of a state) and its key. A state is taken as given once (it must not be
// changed after it is handed to an environment), so its object stands for its content: the text is
// written once per object, and a process that has seen the key finds the loaded state by it
// without reading the text (canonicalising a task's state on every reset was a tenth of a sandbox
// process's time under load).
import { canonicalStateText } from "../shared/canonical-state.ts";
import { SandboxError } from "../shared/sandbox-error.ts";
import { boundsDetails, StateBoundsError } from "../shared/state-bounds.ts";

let nextKey = 1;
const sent = new WeakMap<object, { key: number; text: string }>();

/**
 * The canonical text and key of a state to send. A state past the bounds (too deep, too large, a
 * number JSON cannot write, a `__proto__` key) is a SandboxError naming the bound and the place.
 */
export function stateToSend(state: object): { key: number; text: string } {
  let known = sent.get(state);
  if (known === undefined) {
    let text: string;
    try {
      text = canonicalStateText(state);
    } catch (error) {
      if (!(error instanceof StateBoundsError)) throw error;
      throw new SandboxError(error.message, { details: boundsDetails(error) });
    }
    known = { key: nextKey++, text };
    sent.set(state, known);
  }
  return known;
}
