import { readFileSync } from 'node:fs';
import { CONFIGURATION_DOC, configurationDoc } from './configuration-doc.js';
import { GATEWAY_ENV } from '../apps/gateway/src/config/gateway.env.js';

describe('docs/configuration.md', () => {
  it('is the text generated from the declared tables (run npm run docs:config after changing one)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(configurationDoc());
  });

  it('documents the gateway variables the README once left out, each with its default', () => {
    const doc = configurationDoc();
    for (const name of ['AGENCY_LINK_SECRET', 'CIRCUIT_FAILURE_THRESHOLD', 'CIRCUIT_OPEN_MS', 'CIRCUIT_MAX_OPEN_MS', 'RATE_LIMIT_PER_SECOND', 'RATE_LIMIT_BURST', 'SHUTDOWN_GRACE_MS', 'CONTRACTS_DIR']) {
      expect(name in GATEWAY_ENV).toBe(true);
      expect(doc).toContain(`| \`${name}\` |`);
    }
    expect(doc).toContain('| `SHUTDOWN_GRACE_MS` | integer, ms | 10000 | ≥ 0 |');
  });
});
