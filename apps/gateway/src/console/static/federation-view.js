// The operator's federation page: the federation in force (serial, issue time, nodes with their
// keys and agencies, rules) and its audited change.
// @ts-check

import { api, ApiError } from './api.js';
import { h, mount, table } from './dom.js';
import { errorText, formatDateTime, formatNumber, nodeName, problemMessage, t } from './i18n.js';

/** @typedef {import('./api.js').Problem} Problem */
/** @typedef {{ serial: number, issuedAt: string, rules: number, nodes: Array<{ node: string, keys: string[], agencies: string[] }> }} FederationSummary */

/** The largest signed federation the node accepts (FederationReloadRequestDto: 512 KiB). */
const FEDERATION_MAX_BYTES = 512 * 1024;

/** @param {FederationSummary} f */
function federationFacts(f) {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'federation-in-force-title', id: 'federation-in-force' },
    h('h2', { id: 'federation-in-force-title' }, t('federationInForce')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('federationSerial')), h('dd', { id: 'federation-serial', dataset: { serial: String(f.serial) } }, formatNumber(f.serial)),
      h('dt', {}, t('federationIssuedAt')), h('dd', { id: 'federation-issued-at' }, formatDateTime(f.issuedAt)),
      h('dt', {}, t('federationRules')), h('dd', { id: 'federation-rules' }, t('federationRulesCount', { n: formatNumber(f.rules) })),
    ),
    table(
      [t('federationNode'), t('federationKeys'), t('federationAgencies')],
      f.nodes.map((n) => [
        h('span', { dataset: { node: n.node } }, `${nodeName(n.node)}（${n.node}）`),
        h('span', { class: 'mono' }, n.keys.length ? n.keys.map((kid, i) => [i ? h('br') : null, kid]) : t('none')),
        h('span', { class: 'mono' }, n.agencies.length ? n.agencies.join('、') : t('none')),
      ]),
      t('federationNodes'),
    ),
  );
}

/**
 * The federation in force (serial, issue time, nodes with their keys and agencies, rules) and the
 * audited change: a reason and, optionally, the authority-signed document (pasted or read from a
 * file); without it the node reads its FEDERATION_FILE again.
 */
/** @param {HTMLElement} main */
export async function renderFederation(main) {
  /** @type {FederationSummary} */
  let current = await api('/api/v1/operator/federation');
  const inForce = h('div', {}, federationFacts(current));

  const reason = h('input', { id: 'federation-reason', autocomplete: 'off', maxlength: '400', 'aria-required': 'true', 'aria-describedby': 'federation-reason-hint federation-reason-error' });
  const reasonError = h('div', { class: 'field-error', id: 'federation-reason-error', role: 'alert' });
  const documentBox = h('textarea', { id: 'federation-document', rows: '6', spellcheck: 'false', autocomplete: 'off', class: 'mono wide', 'aria-describedby': 'federation-document-hint federation-document-error' });
  const documentError = h('div', { class: 'field-error', id: 'federation-document-error', role: 'alert' });
  const file = h('input', { id: 'federation-file', type: 'file', accept: '.jws,.txt,application/jose', 'aria-describedby': 'federation-file-hint federation-document-error' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'federation-submit' }, t('federationSubmit'));
  const summary = h('div', {});
  const outcome = h('p', { id: 'federation-outcome', role: 'status', 'aria-live': 'polite' });

  // The fields a refusal can name: the API's field paths, with the control and its error box.
  /** @type {Record<string, { input: HTMLElement, error: HTMLElement, label: string }>} */
  const fields = {
    reason: { input: reason, error: reasonError, label: t('federationReason') },
    signedFederation: { input: documentBox, error: documentError, label: t('federationDocument') },
  };

  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'federation-change-title', id: 'federation-form' },
    h('h2', { id: 'federation-change-title' }, t('federationChangeTitle')),
    h('p', { class: 'hint' }, t('federationChangeIntro')),
    summary,
    h('div', { class: 'field' }, h('label', { for: 'federation-reason' }, t('federationReason'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), reason, h('div', { class: 'hint', id: 'federation-reason-hint' }, t('federationReasonHint')), reasonError),
    h('div', { class: 'field' }, h('label', { for: 'federation-document' }, t('federationDocument')), documentBox, h('div', { class: 'hint', id: 'federation-document-hint' }, t('federationDocumentHint')), documentError),
    h('div', { class: 'field' }, h('label', { for: 'federation-file' }, t('federationFile')), file, h('div', { class: 'hint', id: 'federation-file-hint' }, t('federationFileHint'))),
    h('div', { class: 'actions' }, submit),
    outcome,
  );

  mount(main, h('h1', {}, t('federationTitle')), inForce, form);

  file.addEventListener('change', () => {
    void (async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      clearProblems();
      if (chosen.size > FEDERATION_MAX_BYTES) {
        showProblems([{ field: 'signedFederation', message: t('federationFileTooLarge') }]);
        file.value = '';
        return;
      }
      // Read here, sent as text: the API takes the signed document in the JSON body.
      documentBox.value = (await chosen.text()).trim();
    })();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  function clearProblems() {
    mount(summary);
    for (const f of Object.values(fields)) {
      mount(f.error);
      f.input.removeAttribute('aria-invalid');
    }
  }

  /** Each problem next to its field; a summary above lists them all with the stable code. */
  /**
   * @param {Problem[]} problems
   * @param {string} [code]
   */
  function showProblems(problems, code) {
    const items = problems.map((problem) => {
      const field = fields[problem.field ?? ''];
      const message = problem.code && problem.field ? problemMessage(problem) : problem.message;
      if (field) {
        field.error.append(h('div', {}, message));
        field.input.setAttribute('aria-invalid', 'true');
      }
      return { field, message };
    });
    if (!code) {
      items[0]?.field?.input.focus();
      return;
    }
    const box = h(
      'div',
      { class: 'error-summary', tabindex: '-1', role: 'alert', id: 'federation-error', dataset: { code } },
      h('h2', {}, t('federationRefused', { serial: formatNumber(current.serial) })),
      h(
        'ul',
        {},
        items.map(({ field, message }) =>
          h('li', {}, field ? h('button', { type: 'button', class: 'link', onclick: () => field.input.focus() }, `${field.label}：${message}`) : message),
        ),
      ),
      h('p', {}, `${t('errorCode')}：`, h('code', { class: 'mono', id: 'federation-error-code' }, code)),
    );
    mount(summary, box);
    box.focus();
  }

  async function send() {
    clearProblems();
    mount(outcome);
    if (reason.value.trim().length < 3) {
      showProblems([{ field: 'reason', message: t('federationReasonTooShort') }]);
      return;
    }
    const signed = documentBox.value.trim();
    submit.disabled = true;
    submit.textContent = t('submitting');
    try {
      const result = await api('/api/v1/operator/federation/reload', {
        method: 'POST',
        body: { reason: reason.value.trim(), ...(signed ? { signedFederation: signed } : {}) },
      });
      mount(
        outcome,
        h(
          'span',
          { class: result.changed ? 'ok' : 'muted', dataset: { changed: String(result.changed) } },
          result.changed
            ? t('federationChanged', { from: formatNumber(result.previousSerial), to: formatNumber(result.serial) })
            : t('federationUnchanged', { serial: formatNumber(result.serial) }),
        ),
      );
      documentBox.value = '';
      file.value = '';
      current = await api('/api/v1/operator/federation');
      mount(inForce, federationFacts(current));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) throw error;
      const problem = error.problem;
      // Field errors as the API names them; a refusal of the document itself goes next to it.
      const documentCodes = ['FEDERATION_SIGNATURE_INVALID', 'FEDERATION_ROLLBACK'];
      const problems = problem.errors?.length
        ? problem.errors
        : [{ field: signed && documentCodes.includes(problem.code ?? '') ? 'signedFederation' : undefined, message: errorText(problem) }];
      showProblems(problems, problem.code ?? `HTTP ${error.status}`);
    } finally {
      submit.disabled = false;
      submit.textContent = t('federationSubmit');
    }
  }
}
