import { GatewayError, SystemClock, type Clock } from '#core';
import { signFederationFile, verifyFederationFile, type FederationSummary } from '#signing';

/**
 * `npm run federation -- <command>`: the federation authority's tool (issue 6).
 *
 *   sign <in.json> <out.jws> --authority-key-dir <dir>
 *       Signs a version 2 federation document (with a serial) with the authority key of its suite
 *       in <dir> (Ed25519 for intl, SM2 for gm; created on first use, 0600 in 0700), writes
 *       <out.jws> and <out.jws>.authority.jwks.json (both suites' keys during a suite move).
 *   verify <file.jws> --authority-jwks <file> [--accepted-serial <n>]
 *       Checks the signature, the type, the content, and (with --accepted-serial) that the serial
 *       is newer than the one the nodes run.
 *
 * Exit codes: 0 done; 2 refused (FEDERATION_SIGNATURE_INVALID, FEDERATION_ROLLBACK, CONFIG_INVALID:
 * the message names the code and why); 1 usage or unexpected error.
 */

const USAGE = [
  'usage:',
  '  npm run federation -- sign <in.json> <out.jws> --authority-key-dir <dir>',
  '  npm run federation -- verify <file.jws> --authority-jwks <file> [--accepted-serial <n>]',
].join('\n');

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/**
 * Runs one command and returns the exit code; prints through `io`.
 *
 * @example const code = await runFederationCli(['verify', 'federation.jws', '--authority-jwks', 'authority.jwks.json'], io);
 */
export async function runFederationCli(argv: readonly string[], io: CliOutput, clock: Clock = new SystemClock()): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseArgs(rest);
  try {
    switch (command) {
      case 'sign': {
        const dir = flags.get('authority-key-dir');
        const [inFile, outFile] = positional;
        if (inFile === undefined || outFile === undefined || dir === undefined || positional.length !== 2) return usage(io);
        const summary = await signFederationFile(inFile, outFile, dir, clock);
        io.out(`signed ${outFile}: ${describe(summary)}`);
        io.out(`authority public keys: ${outFile}.authority.jwks.json (give this file to every node)`);
        return 0;
      }
      case 'verify': {
        const jwks = flags.get('authority-jwks');
        const [file] = positional;
        const acceptedText = flags.get('accepted-serial');
        const accepted = acceptedText === undefined ? undefined : Number(acceptedText);
        if (file === undefined || jwks === undefined || positional.length !== 1) return usage(io);
        if (accepted !== undefined && !(Number.isSafeInteger(accepted) && accepted >= 0)) return usage(io);
        const summary = await verifyFederationFile(file, jwks, accepted);
        io.out(`valid: ${describe(summary)}`);
        return 0;
      }
      default:
        return usage(io);
    }
  } catch (error) {
    if (error instanceof GatewayError) {
      io.err(`refused: ${error.code}: ${error.detail ?? error.message}`);
      return 2;
    }
    io.err(`failed: ${error instanceof Error ? error.name : 'unknown error'}`);
    return 1;
  }
}

function describe(s: FederationSummary): string {
  const overlap = s.suiteOverlap === undefined ? '' : ` (${s.suiteOverlap.suite} accepted until ${s.suiteOverlap.until})`;
  return `serial ${s.serial}, suite ${s.suite}${overlap}, signed by ${s.kid}, nodes ${s.nodes.join(', ')}, agencies ${s.agencies.join(', ') || '(none)'}, ${s.rules} access rules, sha256 ${s.sha256}`;
}

function usage(io: CliOutput): number {
  io.err(USAGE);
  return 1;
}

function parseArgs(args: readonly string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      else {
        flags.set(arg.slice(2), args[i + 1] ?? '');
        i += 1;
      }
    } else positional.push(arg);
  }
  return { positional, flags };
}

if (process.argv[1]?.endsWith('federation-cli.js')) {
  const io: CliOutput = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  runFederationCli(process.argv.slice(2), io)
    .then((code) => {
      process.exitCode = code;
    })
    .catch(() => {
      process.exitCode = 1;
    });
}
