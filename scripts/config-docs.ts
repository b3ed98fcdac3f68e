import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIGURATION_DOC, configurationDoc } from './configuration-doc.js';

/**
 * `npm run docs:config`: writes docs/configuration.md from the declared tables of every process.
 * With `--check` it only says whether the file is current (exit 1 when not), for CI.
 */
function main(): void {
  const text = configurationDoc();
  if (process.argv.includes('--check')) {
    const current = readFileSync(CONFIGURATION_DOC, 'utf8');
    if (current !== text) {
      process.stderr.write(`${CONFIGURATION_DOC} is out of date: run npm run docs:config\n`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(CONFIGURATION_DOC, text);
  process.stdout.write(`wrote ${CONFIGURATION_DOC}\n`);
}

main();
