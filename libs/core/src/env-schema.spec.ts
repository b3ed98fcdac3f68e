import { bool, custom, decimal, int, list, oneOf, port, readEnv, renderEnvTable, startFailure, text, url } from './env-schema.js';
import { GatewayError } from './gateway-error.js';

describe('declared environment variables', () => {
  it('reads integers within their range, 0 only where it means something, and no fractions or exponents', () => {
    const lease = int({ default: 8000, min: 100, max: 60_000, doc: 'lease' });
    expect(lease.read('L', undefined)).toEqual({ value: 8000, problems: [] });
    expect(lease.read('L', ' ')).toEqual({ value: 8000, problems: [] });
    expect(lease.read('L', '250').value).toBe(250);
    for (const raw of ['99', '60001', '1e3', '0x10', '2.5', 'soon', '0']) expect(lease.read('L', raw)).toEqual({ value: 8000, problems: ['L must be an integer between 100 and 60000'] });
    const interval = int({ default: 60_000, min: 1000, zero: 'off', doc: 'interval' });
    expect(interval.read('I', '0').value).toBe(0);
    expect(interval.read('I', '500').problems).toEqual(['I must be 0 (off) or an integer of at least 1000']);
    expect([interval.allowed, lease.allowed]).toEqual(['0 (off), or ≥ 1000', '100 – 60000']);
  });

  it('names a required variable that is absent, and a derived default stays undefined for the loader', () => {
    expect(port({ required: true, doc: 'port' }).read('P', undefined)).toEqual({ value: 0, problems: ['P is required'] });
    expect(port({ required: true, doc: 'port' }).read('P', '70000').problems).toEqual(['P must be an integer between 1 and 65535']);
    expect(int({ derived: '4 on PostgreSQL', doc: 'batches' }).read('B', undefined)).toEqual({ value: undefined, problems: [] });
    expect(int({ derived: '4 on PostgreSQL', doc: 'batches' }).default).toBe('4 on PostgreSQL');
  });

  it('reads booleans, words, decimals, lists, URLs and texts strictly', () => {
    expect(bool({ default: true, doc: 'b' }).read('B', 'yes').problems).toEqual(['B must be true or false']);
    expect(bool({ default: true, doc: 'b' }).read('B', 'false').value).toBe(false);
    expect(oneOf(['SC', 'CQ'], { required: true, doc: 'n' }).read('N', 'XX').problems).toEqual(['N must be SC or CQ']);
    expect(oneOf(['debug', 'info', 'warn'], { default: 'info', doc: 'l' }).read('L', 'loud').problems).toEqual(['L must be one of debug, info, warn']);
    expect(decimal({ default: 0.1, min: 0, max: 1, doc: 'r' }).read('R', '1.5').problems).toEqual(['R must be a number between 0 and 1']);
    expect(decimal({ default: 0.1, min: 0, max: 1, doc: 'r' }).read('R', '0.25').value).toBe(0.25);
    expect(list({ doc: 'ids' }).read('S', ' a, ,b ').value).toEqual(['a', 'b']);
    expect(url({ derived: 'none', schemes: ['amqp', 'amqps'], doc: 'u' }).read('U', 'http://mq').problems).toEqual(['U must be an amqp:// URL']);
    expect(url({ derived: 'none', schemes: ['postgres', 'postgresql'], doc: 'u' }).read('U', 'postgresql://db/x').value).toBe('postgresql://db/x');
    expect(text({ required: true, minLength: 32, doc: 's' }).read('S', 'short').problems).toEqual(['S must be at least 32 characters']);
    expect(text({ default: 'cytb', pattern: /^[a-z]+$/, patternDoc: 'lower-case letters', doc: 'p' }).read('P', 'a b').problems).toEqual(['P must be lower-case letters']);
  });

  it('refuses to start naming every bad variable and every failed check at once', () => {
    const schema = {
      A: port({ required: true, doc: 'a' }),
      B: int({ default: 5, min: 1, doc: 'b' }),
      C: int({ default: 9, min: 1, doc: 'c' }),
      D: custom({ default: [] as string[], type: 'JSON', allowed: 'array', show: () => 'empty', doc: 'd', parse: (name) => ({ problems: [`${name}: bad`, `${name}[1]: bad`] }) }),
    };
    const read = () => readEnv(schema, { B: '0', C: '2', D: '[]' }, (v) => [v.C < v.B && 'C must not be below B', false]);
    expect(read).toThrow(GatewayError);
    expect(read).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', detail: 'A is required; B must be an integer of at least 1; D: bad; D[1]: bad; C must not be below B' }));
    expect(readEnv(schema, { A: '80', C: '7' })).toEqual({ A: 80, B: 5, C: 7, D: [] });
  });

  it('documents each variable as one table row, with pipes escaped', () => {
    const table = renderEnvTable({ NODE_CODE: oneOf(['SC', 'CQ'], { required: true, doc: 'Which node | province.' }), RATE: int({ default: 50, min: 1, unit: 'req/s', doc: 'Rate.' }) });
    expect(table.split('\n')).toEqual([
      '| Variable | Type | Default | Allowed | Description |',
      '|---|---|---|---|---|',
      '| `NODE_CODE` | one of | required | `SC`, `CQ` | Which node \\| province. |',
      '| `RATE` | integer, req/s | 50 | ≥ 1 | Rate. |',
    ]);
  });

  it('prints the code and detail of a start failure', () => {
    expect(startFailure(new GatewayError('CONFIG_INVALID', { detail: 'SIM_PORT is required' }))).toBe('CONFIG_INVALID: SIM_PORT is required');
    expect(startFailure(new Error('listen EADDRINUSE'))).toBe('listen EADDRINUSE');
  });
});
