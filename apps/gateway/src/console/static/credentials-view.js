// The operator's credential page: every window and operator credential of this node with its
// state, expiry and last use, and the two audited actions, disable and reissue. A reissued
// token is shown once, here; it is not kept anywhere in the browser.
// @ts-check

import { api, ApiError } from './api.js';
import { h, mount, table } from './dom.js';
import { errorText, formatDateTime, problemMessage, t } from './i18n.js';

/** @typedef {{ credentialId: string, role: string, name: string, agency: string | null, state: string, createdAt: string, expiresAt: string | null, disabledReason: string | null, lastUsedAt: string | null }} CredentialView */

/** @type {Record<string, string>} */
const STATE_CLASS = { active: 'ok', expired: 'warn', disabled: 'bad' };

/**
 * @param {HTMLElement} main
 * @param {import('./console.js').Ctx} ctx
 * @param {import('./console.js').Me} me
 */
export async function renderCredentials(main, ctx, me) {
  const reason = h('input', { id: 'credential-reason', autocomplete: 'off', maxlength: '400', 'aria-required': 'true', 'aria-describedby': 'credential-reason-hint credential-reason-error' });
  const reasonError = h('div', { class: 'field-error', id: 'credential-reason-error', role: 'alert' });
  const days = h('input', { id: 'credential-days', type: 'number', min: '1', max: '3650', step: '1', inputmode: 'numeric', 'aria-describedby': 'credential-days-hint credential-days-error' });
  const daysError = h('div', { class: 'field-error', id: 'credential-days-error', role: 'alert' });
  const issued = h('div', { id: 'credential-issued', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { id: 'credential-list' });

  mount(
    main,
    h('h1', {}, t('credentialsTitle')),
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'hint' }, t('credentialsIntro')),
      h('div', { class: 'grid' },
        h('div', { class: 'field' }, h('label', { for: 'credential-reason' }, t('credentialReason'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), reason, h('div', { class: 'hint', id: 'credential-reason-hint' }, t('credentialReasonHint')), reasonError),
        h('div', { class: 'field' }, h('label', { for: 'credential-days' }, t('credentialDays')), days, h('div', { class: 'hint', id: 'credential-days-hint' }, t('credentialDaysHint')), daysError)),
    ),
    issued,
    list,
  );

  async function load() {
    /** @type {{ items: CredentialView[] }} */
    const { items } = await api('/api/v1/operator/credentials');
    mount(
      list,
      table(
        [t('credentialId'), t('credentialRole'), t('credentialName'), t('state'), t('createdAt'), t('credentialExpires'), t('credentialLastUsed'), t('reason'), ''],
        items.map((c) => [
          h('span', { class: 'mono' }, c.credentialId),
          t(c.role === 'operator' ? 'roleOperator' : 'roleWindow'),
          c.agency ? `${c.name}（${c.agency}）` : c.name,
          h('span', { class: `badge ${STATE_CLASS[c.state] ?? ''}`, dataset: { credentialState: c.state } }, t(`credentialState-${c.state}`)),
          formatDateTime(c.createdAt),
          c.expiresAt ? formatDateTime(c.expiresAt) : t('credentialNever'),
          formatDateTime(c.lastUsedAt),
          c.disabledReason ?? t('none'),
          h(
            'span',
            { class: 'actions' },
            c.state === 'disabled' || c.credentialId === me.credentialId
              ? null
              : h('button', { type: 'button', dataset: { disable: c.credentialId }, 'aria-label': `${t('credentialDisable')} ${c.credentialId}`, onclick: () => void act(c.credentialId, 'disable') }, t('credentialDisable')),
            h('button', { type: 'button', dataset: { reissue: c.credentialId }, 'aria-label': `${t('credentialReissue')} ${c.credentialId}`, onclick: () => void act(c.credentialId, 'reissue') }, t('credentialReissue')),
          ),
        ]),
      ),
    );
  }

  /**
   * @param {HTMLElement} input
   * @param {HTMLElement} box
   * @param {string} text
   */
  function showError(input, box, text) {
    mount(box, text);
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }

  /**
   * @param {string} credentialId
   * @param {'disable' | 'reissue'} action
   */
  async function act(credentialId, action) {
    for (const [input, box] of [[reason, reasonError], [days, daysError]]) {
      mount(box);
      input.removeAttribute('aria-invalid');
    }
    mount(issued);
    if (reason.value.trim().length < 3) return showError(reason, reasonError, t('credentialReasonTooShort'));
    /** @type {{ reason: string, expiresInDays?: number }} */
    const body = { reason: reason.value.trim() };
    if (action === 'reissue' && days.value !== '') {
      const n = Number(days.value);
      if (!Number.isInteger(n) || n < 1 || n > 3650) return showError(days, daysError, t('credentialDaysBad'));
      body.expiresInDays = n;
    }
    try {
      const result = await api(`/api/v1/operator/credentials/${encodeURIComponent(credentialId)}/${action}`, { method: 'POST', body });
      if (action === 'reissue') {
        const token = h('input', { id: 'credential-token', class: 'mono wide', readonly: true, value: result.token, 'aria-describedby': 'credential-token-hint', onfocus: (/** @type {FocusEvent & { target: HTMLInputElement }} */ e) => e.target.select() });
        mount(
          issued,
          h('div', { class: 'card' },
            h('h2', {}, t('credentialIssuedTitle', { id: credentialId })),
            h('label', { for: 'credential-token' }, t('token')), token,
            h('p', { class: 'hint', id: 'credential-token-hint' }, t('credentialIssuedHint', { date: result.expiresAt ? formatDateTime(result.expiresAt) : t('credentialNever') }))),
        );
      } else {
        ctx.toast(t('credentialDisabledDone', { id: credentialId }));
      }
      reason.value = '';
      await load();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const field = error.problem.errors?.[0];
      if (field?.field === 'expiresInDays') return showError(days, daysError, problemMessage(field));
      if (field?.field === 'reason') return showError(reason, reasonError, problemMessage(field));
      ctx.toast(t('errorGeneric', { msg: errorText(error.problem) }));
    }
    return undefined;
  }

  await load();
}
