// The agent desktop's connection to the hub /hubs/agent: its state in the header, reconnecting, and a fresh
// snapshot each time it connects. The entry point (desktop.js) says what each hub event does.
import { t } from './texts.js';
import { $, showConnection, showError, errorText, HubSession } from './common.js';
import { applySnapshot } from './state.js';

let hub = null;

/**
 * Sets up the one connection. events: the hub's handlers by event name; onSnapshot() after a snapshot is taken into
 * the state; onSessionEnded() when the session ended while away.
 */
export function setUpConnection({ events, onSnapshot, onSessionEnded }) {
  hub = new HubSession({
    handlers: { ...events, Resync: () => refreshSnapshot(onSnapshot) },
    onState: name => setConnectionState(name),
    onConnected: () => refreshSnapshot(onSnapshot),
    onSessionEnded,
  });
}

/** Connects; says so in the header when the SignalR client did not load. */
export async function startHub() {
  if (!await hub.start()) {
    showConnection($('connection'), 'disconnected');
    showError($('header-error'), t('error.no_signalr'));
  }
}

export const stopHub = () => hub.stop();

/** Connects now if disconnected (the Reconnect button). */
export const connectNow = () => hub.connectNow();

/** Calls a hub method; rejects with NotConnectedError when not connected. */
export const invoke = (method, ...args) => hub.invoke(method, ...args);

function setConnectionState(name) {
  showConnection($('connection'), name);
  $('reconnect').hidden = name !== 'disconnected';
  document.body.dataset.connection = name;
}

async function refreshSnapshot(onSnapshot) {
  let snapshot;
  try {
    snapshot = await invoke('Snapshot');
  } catch (error) {
    showError($('header-error'), errorText(error));
    return;
  }
  showError($('header-error'), null);
  if (!snapshot) return;
  applySnapshot(snapshot);
  onSnapshot();
}
