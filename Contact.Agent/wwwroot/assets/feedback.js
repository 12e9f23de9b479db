// What the desktop tells a person: the live regions (new cases in the queue; what an action did) and running an
// action with its controls disabled and its alert showing the server's words on failure.
import { $, announcer, showError, isVisible, errorText } from './common.js';

let queueRegion = null;
let statusRegion = null;

/** Says a queue event (a new case, a returned case, a new referral) in the queue's live region. */
export function announceQueue(message) {
  (queueRegion ??= announcer($('queue-live')))(message);
}

/** Says what an action did in the status live region. */
export function announceStatus(message) {
  (statusRegion ??= announcer($('status-live'), 3))(message);
}

/**
 * Runs one hub action: disables its controls, clears its alert, and shows the server's message in
 * that alert on failure (the UI is left as it was). Returns {ok, value}.
 */
export async function runAction(controls, alert, action) {
  const focused = document.activeElement;
  const list = controls.filter(Boolean);
  const before = list.map(c => c.disabled);
  list.forEach(c => { c.disabled = true; });
  showError(alert, null);
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    showError(alert, errorText(error));
    return { ok: false };
  } finally {
    list.forEach((c, i) => { c.disabled = before[i]; });
    if (focused && focused.isConnected && isVisible(focused) && !focused.disabled
        && (document.activeElement === document.body || document.activeElement === null)) {
      focused.focus();
    }
  }
}
