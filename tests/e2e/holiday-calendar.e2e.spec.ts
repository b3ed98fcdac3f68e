import { statutoryHolidays } from '#core';
import { cardApplication } from './support/applications.js';
import { GatewayPair } from './support/gateway-pair.js';

/**
 * Issue 15 point 8: the case clock never breaks intake, and next year's holiday arrangement is
 * data an operator loads (checked, audited, in force at once) without a release.
 */
describe('the working-day calendar as operator data', () => {
  let pair: GatewayPair;

  beforeAll(async () => {
    pair = await GatewayPair.start();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  const post = (path: string, auth: string, body: unknown) =>
    fetch(pair.sc.url(path), { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const years = async () =>
    (await (await fetch(pair.sc.url('/api/v1/operator/holidays'), { headers: { authorization: pair.sc.operator } })).json()) as {
      items: { year: number; status: string; source: string }[];
      warnings: { code: string; year: number }[];
    };
  const arrangement2028 = () => ({
    reason: '国务院办公厅 2028 年部分节假日安排的通知已发布',
    year: 2028,
    source: '国办发明电〔2027〕测试号',
    holidays: [...statutoryHolidays(2028).holidays.map(([date, name]) => ({ date, name })), { date: '2028-01-24', name: '春节' }],
    workingWeekends: [{ date: '2028-01-22', name: '春节调休' }],
  });

  it('accepts a card application whose 30-working-day limit runs past the holiday data, with a provisional due date', async () => {
    // Fails before: the clock threw CONFIG_INVALID for 2028 and intake answered 500.
    // Monday 22 Nov 2027, within the demo credentials' 365 days: the 30th working day is 3 Jan 2028.
    pair.clock.set(Date.UTC(2027, 10, 22, 2));
    const response = await post('/api/v1/applications', pair.sc.window, cardApplication({ issuingRegion: '510104' }));
    expect(response.status).toBe(201);
    const { caseId } = (await response.json()) as { caseId: string };
    const view = (await (await fetch(pair.sc.url(`/api/v1/applications/${caseId}`), { headers: { authorization: pair.sc.window } })).json()) as {
      timeLimit: { dueBy: string; calendarProvisional: boolean };
    };
    expect(view.timeLimit).toMatchObject({ dueBy: '2028-01-03', calendarProvisional: true });
  });

  it('warns the operator from 1 November while next year is missing, and not before', async () => {
    pair.clock.set(Date.UTC(2027, 9, 31, 2)); // 31 Oct 2027, Shanghai
    expect((await years()).warnings).toEqual([]);
    pair.clock.set(Date.UTC(2027, 10, 1, 2));
    expect((await years()).warnings).toEqual([expect.objectContaining({ code: 'HOLIDAYS_NEXT_YEAR_MISSING', year: 2028 })]);
    expect((await years()).items).toContainEqual(expect.objectContaining({ year: 2028, status: 'computed', source: 'statutory' }));
  });

  it('refuses a window, a half year and a 调休 on a weekday, and audits the refusal', async () => {
    expect((await post('/api/v1/operator/holidays', pair.sc.window, arrangement2028())).status).toBe(403);
    const half = { ...arrangement2028(), holidays: arrangement2028().holidays.filter((d) => d.date < '2028-07-01') };
    const refused = await post('/api/v1/operator/holidays', pair.sc.operator, half);
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ code: 'HOLIDAYS_INVALID', errors: [{ field: 'holidays' }] });
    const weekday = await post('/api/v1/operator/holidays', pair.sc.operator, { ...arrangement2028(), workingWeekends: [{ date: '2028-01-21', name: '春节调休' }] });
    expect(await weekday.json()).toMatchObject({ code: 'HOLIDAYS_INVALID', errors: [{ field: 'workingWeekends[0].date' }] });
    const missingReason = await post('/api/v1/operator/holidays', pair.sc.operator, { ...arrangement2028(), reason: undefined });
    expect(await missingReason.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await years()).items).toContainEqual(expect.objectContaining({ year: 2028, status: 'computed' }));
  });

  it('loads 2028 at once on this node, audited; the other node takes it from the shared file on reload', async () => {
    pair.clock.set(Date.UTC(2027, 10, 5, 2));
    const loaded = await post('/api/v1/operator/holidays', pair.sc.operator, arrangement2028());
    expect(loaded.status).toBe(200);
    expect(await loaded.json()).toMatchObject({ year: 2028, status: 'published', loaded: true, source: '国办发明电〔2027〕测试号' });
    expect((await years()).warnings).toEqual([]);

    const audit = (await (await fetch(pair.sc.url('/api/v1/operator/audit?subject=holidays:2028'), { headers: { authorization: pair.sc.operator } })).json()) as {
      items: { action: string }[];
    };
    expect(audit.items.map((a) => a.action).sort()).toEqual(['holidays-load-refused', 'holidays-load-refused', 'holidays-loaded']);

    const cqYears = async () =>
      (await (await fetch(pair.cq.url('/api/v1/operator/holidays'), { headers: { authorization: pair.cq.operator } })).json()) as { items: { year: number; status: string }[] };
    expect((await cqYears()).items).toContainEqual(expect.objectContaining({ year: 2028, status: 'computed' }));
    const reload = await fetch(pair.cq.url('/api/v1/operator/holidays/reload'), {
      method: 'POST',
      headers: { authorization: pair.cq.operator, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'SC loaded the 2028 notice into the shared file' }),
    });
    expect(reload.status).toBe(200);
    expect((await cqYears()).items).toContainEqual(expect.objectContaining({ year: 2028, status: 'published' }));
  });
});
