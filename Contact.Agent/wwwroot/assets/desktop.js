// The agent desktop (GET /agent), its entry point: sign-in, the header, keyboard shortcuts, and wiring the hub's
// events to the modules that show them: queue-view.js (the queue and my cases), case-pane.js (the open case),
// provider-referrals.js (a provider's referrals). Talks to /api/staff/* and the SignalR hub /hubs/agent (connection.js).
import { loadTexts, t, codeText, localName } from './texts.js';
import {
  $, applyTexts, setUpLanguageLink, wireSignIn, resumeSession, signOutWith, showError, showConnection, errorText,
  isTyping, shortcutLetter,
} from './common.js';
import { state, resetState, isProvider, applySnapshot } from './state.js';
import { setUpConnection, startHub, stopHub, connectNow, invoke } from './connection.js';
import { announceStatus } from './feedback.js';
import { tickAges, tickSla } from './badges.js';
import { renderLists, claimNext, onQueueItemChanged, onQueueItemRemoved, openCasesIn } from './queue-view.js';
import {
  closeCasePane, refreshOpenCase, onCaseChanged, focusNoteBox, focusOutcomeBox, showCase, scheduleCaseRefresh,
} from './case-pane.js';
import { renderReferrals, onReferralChanged } from './provider-referrals.js';

// ---------- start ----------

async function boot() {
  await loadTexts();
  applyTexts();
  document.title = t('agent.title');
  setUpLanguageLink($('lang-link'), '/agent');
  showConnection($('connection'), 'disconnected');
  openCasesIn({ show: showCase, refresh: scheduleCaseRefresh });
  setUpConnection({
    events: {
      QueueItemChanged: item => onQueueItemChanged(item),
      QueueItemRemoved: number => onQueueItemRemoved(number),
      CaseChanged: number => onCaseChanged(number),
      ReferralChanged: referral => onReferralChanged(referral),
    },
    onConnected: () => takeSnapshot(),
    onSessionEnded: () => {
      clearDesktop();
      showSignIn(t('signin.session_ended'));
      $('signin-user').focus();
    },
  });
  wireStatic();
  document.body.classList.remove('loading');

  await resumeSession(enterDesktop, showSignIn);
}

/** Reads the desktop's snapshot (each time the hub connects, and on Resync) and shows it. */
async function takeSnapshot() {
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
  showViews();
  renderHeader();
  renderAll();
  if (state.openCase) refreshOpenCase(state.openCase.number);
}

function wireStatic() {
  wireSignIn($('signin-form'), staff => enterDesktop(staff, true));
  $('signout').addEventListener('click', signOutNow);
  $('claim-next').addEventListener('click', claimNext);
  $('state-select').addEventListener('change', changeState);
  $('reconnect').addEventListener('click', () => connectNow());
  document.addEventListener('keydown', onShortcut);
  setInterval(tickAges, 5000);
  setInterval(tickSla, 15000);
}

function showSignIn(message) {
  $('desktop-view').hidden = true;
  $('header-user').hidden = true;
  $('signout').hidden = true;
  $('signin-view').hidden = false;
  document.body.classList.remove('desktop-mode');
  document.title = t('agent.title_signin');
  showError($('signin-error'), message);
}

async function enterDesktop(staff, moveFocus) {
  state.me = staff;
  $('signin-view').hidden = true;
  $('desktop-view').hidden = false;
  document.body.classList.add('desktop-mode');
  $('header-user').hidden = false;
  $('signout').hidden = false;
  showError($('header-error'), null);
  document.title = t('agent.title');
  showViews();
  renderHeader();
  renderAll();
  if (moveFocus) (isProvider() ? $('referrals-heading') : $('claim-next')).focus();
  await startHub();
}

/** A provider sees their referrals; everyone else the queue, my cases and the case pane. */
function showViews() {
  const provider = isProvider();
  $('agent-view').hidden = provider;
  $('referrals-view').hidden = !provider;
}

function renderAll() {
  renderLists();
  renderReferrals();
}

function clearDesktop() {
  resetState();
  closeCasePane();
  renderAll();
}

function signOutNow() {
  return signOutWith($('signout'), async () => {
    await stopHub();
    clearDesktop();
    showSignIn(null);
    announceStatus(t('signin.signed_out'));
    $('signin-user').focus();
  });
}

// ---------- header ----------

function renderHeader() {
  const me = state.me;
  if (!me) return;
  $('user-name').textContent = t('header.signed_in_as', me.displayName || me.userName);
  $('user-role').textContent = codeText('role', me.role);
  $('state-select').value = me.state || 'available';
  $('supervisor-link').hidden = !(me.role === 'supervisor' || me.role === 'admin');
  $('provider-name').textContent = me.providerName ? localName(me.providerName) : '';
}

async function changeState() {
  const select = $('state-select');
  const previous = state.me ? state.me.state : 'available';
  const value = select.value;
  select.disabled = true;
  showError($('header-error'), null);
  try {
    const staff = await invoke('SetState', value);
    if (staff) state.me = staff;
    else if (state.me) state.me.state = value;
    announceStatus(t('header.state_changed', codeText('state', state.me.state)));
  } catch (error) {
    showError($('header-error'), errorText(error));
    if (state.me) state.me.state = previous;
  } finally {
    select.disabled = false;
    renderHeader();
    if (document.activeElement === document.body) select.focus();
  }
}

// ---------- keyboard shortcuts ----------

function onShortcut(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (isTyping(event.target)) return;
  if ($('desktop-view').hidden || isProvider()) return;
  const letter = shortcutLetter(event);
  const action = { n: claimNext, m: focusNoteBox, r: focusOutcomeBox }[letter];
  if (!action) return;
  event.preventDefault();
  action();
}

boot();
