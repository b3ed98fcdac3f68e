// The console's entry: sign-in, the header (role shown by colour and badge), the language
// switch, and a hash router whose views clear their timers when the clerk moves on.
// @ts-check

import { api, ApiError, hasToken, setToken } from './api.js';
import { byId, h, mount } from './dom.js';
import { errorText, formatDateTime, getLang, nodeName, setLang, t } from './i18n.js';
import { calendarWarnings, renderCalendar } from './calendar-view.js';
import { renderRoutes } from './routes-view.js';
import { renderDead } from './dead-letters-view.js';
import { renderAudit } from './audit-view.js';
import { renderOverdue } from './overdue-view.js';
import { renderHealth } from './health-view.js';
import { keyWarningCount, renderKeys } from './keys-view.js';
import { renderFederation } from './federation-view.js';
import { renderApply, renderCase, renderReceipt, renderSearch } from './window-view.js';
import { renderCredentials } from './credentials-view.js';

const main = byId('main');
const tabs = byId('tabs');
const toastBox = byId('toast');

/**
 * The signed-in credential (GET /api/v1/whoami).
 * @typedef {{ credentialId: string, role: string, name: string, region: string, agency: string | null, node: string, expiresAt: string | null, expiresSoon: boolean }} Me
 */
/**
 * What a view gets to run timers (cleared when the clerk moves on) and show a toast.
 * @typedef {{ every(fn: () => unknown, ms: number): number, clear(id: number): void, toast(text: string): void }} Ctx
 */

/** @type {Me | null} */
let me = null;
/** @type {number[]} */
let timers = [];

/** @type {Record<string, Array<[string, import('./i18n.js').UiKey]>>} */

const NAV = {
  window: [
    ['#/apply', 'navApply'],
    ['#/search', 'navSearch'],
  ],
  operator: [
    ['#/routes', 'navRoutes'],
    ['#/dead', 'navDead'],
    ['#/audit', 'navAudit'],
    ['#/overdue', 'navOverdue'],
    ['#/health', 'navHealth'],
    ['#/keys', 'navKeys'],
    ['#/credentials', 'navCredentials'],
    ['#/federation', 'navFederation'],
    ['#/calendar', 'navCalendar'],
  ],
};

/** @type {Ctx} */
const ctx = {
  /** Runs `fn` every `ms` while this view is shown. */
  every(fn, ms) {
    const id = setInterval(() => {
      Promise.resolve(fn()).catch(report);
    }, ms);
    timers.push(id);
    return id;
  },
  clear(id) {
    clearInterval(id);
    timers = timers.filter((x) => x !== id);
  },
  toast,
};

/** @param {string} text */
function toast(text) {
  toastBox.textContent = text;
  setTimeout(() => {
    if (toastBox.textContent === text) toastBox.textContent = '';
  }, 6000);
}

/** @param {any} error whatever was thrown or rejected */
function report(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut(t('sessionExpired'));
    return;
  }
  toast(error instanceof ApiError ? t('errorGeneric', { msg: errorText(error.problem) }) : t('errorGeneric', { msg: String(error?.message ?? error) }));
}

function translateStatic() {
  /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-i18n]')).forEach((el) => {
    el.textContent = t(el.dataset.i18n ?? '');
  });
  document.title = t('appTitle');
  const other = getLang() === 'zh' ? 'English' : '中文';
  const langButton = byId('lang-switch');
  langButton.textContent = other;
  langButton.setAttribute('lang', getLang() === 'zh' ? 'en' : 'zh-CN');
  tabs.setAttribute('aria-label', getLang() === 'zh' ? '主导航' : 'Main navigation');
}

function drawHeader() {
  const who = byId('who');
  document.body.classList.remove('window', 'operator');
  if (!me) {
    who.hidden = true;
    tabs.hidden = true;
    byId('node-name').textContent = '';
    return;
  }
  document.body.classList.add(me.role);
  byId('node-name').textContent = `${nodeName(me.node)}${getLang() === 'zh' ? '节点' : ' node'}`;
  const badge = byId('role-badge');
  badge.className = `role-badge role-${me.role}`;
  badge.textContent = t(me.role === 'operator' ? 'roleOperator' : 'roleWindow');
  byId('who-name').textContent = me.name;
  who.hidden = false;
  tabs.hidden = false;
  mount(tabs, (NAV[me.role] ?? []).map(([href, key]) => h('a', { href, dataset: { nav: key } }, t(key))));
}

/** @param {string} [message] */
function signOut(message) {
  setToken(null);
  me = null;
  drawHeader();
  if (location.hash !== '#/sign-in') location.hash = '#/sign-in';
  else void route();
  if (message) toast(message);
}

const SIGN_IN_CODES = new Set(['AUTH_LOCKED_OUT', 'CREDENTIAL_EXPIRED', 'CREDENTIAL_DISABLED']);

/** A warning above every page while the signed-in credential expires within the node's warning days. */
function expiryWarning() {
  if (!me?.expiresSoon) return null;
  return h('p', { class: 'error-summary', role: 'alert', id: 'credential-expiry-warning' }, t('credentialExpiresSoon', { date: formatDateTime(me.expiresAt) }));
}

function renderSignIn() {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'token-hint token-error' });
  const error = h('div', { class: 'field-error', id: 'token-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'card signin', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, t('signInTitle')),
    h('div', { class: 'field' }, h('label', { for: 'token' }, t('token')), input, h('div', { class: 'hint', id: 'token-hint' }, t('signInHint')), error),
    h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, t('signIn')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      mount(error);
      setToken(input.value.trim().replace(/^Bearer\s+/i, ''));
      try {
        me = /** @type {Me} */ (await api('/api/v1/whoami'));
      } catch (e) {
        setToken(null);
        input.setAttribute('aria-invalid', 'true');
        // Locked out, expired or disabled: say so (the gateway tells these only for a right secret or after many failures).
        const told = e instanceof ApiError && SIGN_IN_CODES.has(e.problem.code ?? '');
        mount(error, e instanceof ApiError ? (told ? errorText(e.problem) : t('signInFailed')) : String(e));
        return;
      }
      input.value = '';
      drawHeader();
      location.hash = NAV[me.role]?.[0]?.[0] ?? '#/';
    })();
  });
  mount(main, form);
  input.focus();
}

async function route() {
  timers.forEach(clearInterval);
  timers = [];
  const hash = location.hash.startsWith('#/') ? location.hash : '#/';
  if (!me && hasToken()) {
    try {
      me = /** @type {Me} */ (await api('/api/v1/whoami'));
      drawHeader();
    } catch {
      setToken(null);
    }
  }
  if (!me) {
    renderSignIn();
    return;
  }
  const [, page, arg] = /^#\/([a-z-]*)\/?(.*)$/.exec(hash) ?? [];
  const allowed = (NAV[me.role] ?? []).map(([href]) => href.slice(2));
  const windowPages = ['apply', 'search', 'receipt', 'case'];
  const mine = me.role === 'window' ? windowPages : allowed;
  if (!mine.includes(page)) {
    location.hash = NAV[me.role]?.[0]?.[0] ?? '#/sign-in';
    return;
  }
  tabs.querySelectorAll('a').forEach((a) => {
    const current = a.getAttribute('href') === `#/${page}` || (page === 'receipt' && a.getAttribute('href') === '#/apply') || (page === 'case' && a.getAttribute('href') === '#/search');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  mount(main, h('p', { class: 'loading' }, t('loading')));
  const decoded = decodeURIComponent(arg ?? '');
  try {
    switch (page) {
      case 'apply': await renderApply(main); break;
      case 'receipt': await renderReceipt(main, decoded); break;
      case 'search': await renderSearch(main); break;
      case 'case': await renderCase(main, decoded, ctx); break;
      case 'routes': await renderRoutes(main, ctx); break;
      case 'dead': await renderDead(main, ctx); break;
      case 'audit': await renderAudit(main); break;
      case 'overdue': await renderOverdue(main); break;
      case 'health': await renderHealth(main, ctx); break;
      case 'keys': await renderKeys(main); break;
      case 'credentials': await renderCredentials(main, ctx, me); break;
      case 'federation': await renderFederation(main); break;
      case 'calendar': await renderCalendar(main); break;
      default: break;
    }
    if (me.role === 'operator' && page !== 'keys') {
      const n = await keyWarningCount();
      if (n > 0) main.prepend(h('p', { class: 'error-summary', role: 'alert' }, h('a', { href: '#/keys' }, t('keysWarning', { n }))));
    }
    if (me.role === 'operator' && page !== 'calendar') {
      for (const w of await calendarWarnings()) main.prepend(h('p', { class: 'error-summary', role: 'alert', dataset: { warning: w.code } }, h('a', { href: '#/calendar' }, t('calendarWarning', { year: w.year }))));
    }
    const warning = expiryWarning();
    if (warning) main.prepend(warning);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signOut(t('sessionExpired'));
    mount(main, h('p', { class: 'error-summary', role: 'alert' }, error instanceof ApiError ? errorText(error.problem) : String(error)));
  }
}

byId('lang-switch').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  translateStatic();
  drawHeader();
  void route();
});
byId('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#/') || location.hash === '') void route();
});
window.addEventListener('unhandledrejection', (event) => report(event.reason));

setLang(getLang());
translateStatic();
void route();
