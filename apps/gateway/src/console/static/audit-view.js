// The operator's audit trail: who did what, when and why, with the recorded detail.
// @ts-check

import { api } from './api.js';
import { h, mount, table } from './dom.js';
import { formatDateTime, t } from './i18n.js';

/** @typedef {import('./i18n.js').UiKey} UiKey */
/** @typedef {{ action: string, subject: string, operatorId: string, reason: string, detailJson: string | null, at: number }} AuditRecord */

/** Audit actions people read in their language; others are shown as recorded. */
/** @type {Record<string, UiKey>} */
const AUDIT_ACTIONS = {
  replay: 'actionReplay',
  'federation-reloaded': 'action-federation-reloaded',
  'federation-reload-refused': 'action-federation-reload-refused',
  'federation-accepted': 'action-federation-accepted',
  'envelope-resigned': 'action-envelope-resigned',
  'holidays-loaded': 'action-holidays-loaded',
  'holidays-load-refused': 'action-holidays-load-refused',
  'holidays-reloaded': 'action-holidays-reloaded',
  'holidays-reload-refused': 'action-holidays-reload-refused',
  'credential-disable': 'action-credential-disable',
  'credential-reissue': 'action-credential-reissue',
};

/** @param {HTMLElement} main */
export async function renderAudit(main) {
  /** @type {{ items: AuditRecord[] }} */
  const { items } = await api('/api/v1/operator/audit');
  mount(
    main,
    h('h1', {}, t('auditTitle')),
    items.length === 0
      ? h('p', {}, t('noAudit'))
      : table(
          [t('at'), t('operator'), t('action'), t('subject'), t('reason'), t('detail')],
          items.map((a) => {
            const d = a.detailJson ? JSON.parse(a.detailJson) : {};
            return [
              formatDateTime(new Date(a.at).toISOString()),
              a.operatorId,
              h('span', { dataset: { action: a.action } }, AUDIT_ACTIONS[a.action] ? t(AUDIT_ACTIONS[a.action]) : a.action),
              h('span', { class: 'mono' }, a.subject),
              a.reason,
              h(
                'span',
                { class: 'mono' },
                [
                  d.destination, d.deadReason, d.attempts !== undefined ? `${t('attempts')} ${d.attempts}` : null, d.lastError,
                  d.previousSerial !== undefined ? (d.changed === false ? `${t('federationSerial')} ${d.serial}（${t('unchanged')}）` : `${t('federationSerial')} ${d.previousSerial} → ${d.serial}`) : null, d.code, d.detail,
                  d.expiresAt ? `${t('credentialExpires')} ${formatDateTime(d.expiresAt)}` : null,
                ].filter((x) => x !== null && x !== undefined).join(' · '),
              ),
            ];
          }),
        ),
  );
}
