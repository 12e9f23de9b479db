// A staff page's one connection to the hub /hubs/agent (the desktop's and the supervisor's): its state in the
// header and the Reconnect button, reconnecting, and what to do on each event. The entry point says what each event
// does and what to read each time the connection is made.
import { t } from './texts.js';
import { $, showConnection, showError, NotConnectedError, currentStaff } from './common.js';

// Events the hub sends to every staff connection; a page that does not show one ignores it.
const EVENTS = ['QueueItemChanged', 'QueueItemRemoved', 'CaseChanged', 'ReferralChanged', 'SupervisorChanged', 'Resync'];

let hub = null;

/**
 * Sets up the page's connection. events: handlers by event name (events not named are ignored); onConnected() each
 * time it connects, and on Resync, when the server says the page missed something; onSessionEnded() when the
 * session ended while away.
 */
export function setUpConnection({ events, onConnected, onSessionEnded }) {
  const handlers = Object.fromEntries(EVENTS.map(name => [name, events[name] ?? (() => {})]));
  handlers.Resync = events.Resync ?? onConnected;
  hub = new HubSession({
    handlers,
    onState: name => setConnectionState(name),
    onConnected,
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

/**
 * A page's one connection to /hubs/agent. SignalR reconnects by itself and the page takes a fresh
 * snapshot (onConnected); when reconnecting gives up, the page goes back to sign-in if the session
 * ended (onSessionEnded), else it tries again every 15 s. onState gets connecting, connected,
 * reconnecting or disconnected.
 */
class HubSession {
  #connection = null;
  #retryTimer = null;
  #options;

  constructor({ handlers, onState, onConnected, onSessionEnded }) {
    this.#options = { handlers, onState, onConnected, onSessionEnded };
  }

  /** Connects, replacing any earlier connection; false when the SignalR client did not load. */
  async start() {
    await this.stop();
    if (!window.signalR) return false;
    const connection = new window.signalR.HubConnectionBuilder()
      .withUrl('/hubs/agent')
      .withAutomaticReconnect()
      .build();
    this.#connection = connection;
    for (const [name, handler] of Object.entries(this.#options.handlers)) connection.on(name, handler);
    const current = () => this.#connection === connection;
    connection.onreconnecting(() => { if (current()) this.#options.onState('reconnecting'); });
    connection.onreconnected(async () => {
      if (!current()) return;
      this.#options.onState('connected');
      await this.#options.onConnected();
    });
    connection.onclose(() => {
      if (!current()) return;
      this.#options.onState('disconnected');
      this.#afterDisconnect();
    });
    await this.connectNow();
    return true;
  }

  async stop() {
    clearTimeout(this.#retryTimer);
    const connection = this.#connection;
    this.#connection = null;
    if (connection) {
      try {
        await connection.stop();
      } catch {
        // Already stopped.
      }
    }
  }

  /** Connects now if disconnected (the Reconnect button, and the 15 s retry). */
  async connectNow() {
    const connection = this.#connection;
    if (!connection || connection.state !== 'Disconnected') return;
    clearTimeout(this.#retryTimer);
    this.#options.onState('connecting');
    try {
      await connection.start();
    } catch {
      if (this.#connection !== connection) return;
      this.#options.onState('disconnected');
      this.#afterDisconnect();
      return;
    }
    if (this.#connection !== connection) return;
    this.#options.onState('connected');
    await this.#options.onConnected();
  }

  /** Calls a hub method; rejects with NotConnectedError when not connected. */
  invoke(method, ...args) {
    const connection = this.#connection;
    if (!connection || connection.state !== 'Connected') {
      return Promise.reject(new NotConnectedError(t('error.not_connected')));
    }
    return connection.invoke(method, ...args);
  }

  /** After the connection is lost for good: back to sign-in if the session ended, else retry soon. */
  async #afterDisconnect() {
    let staff;
    try {
      staff = await currentStaff();
    } catch {
      staff = undefined; // server unreachable: keep the page and retry
    }
    if (staff === null) {
      await this.stop();
      this.#options.onSessionEnded();
      return;
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.connectNow(), 15000);
  }
}
