import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

/**
 * Paths that may carry personal data. They are censored wherever they appear in a log object;
 * code should not log them in the first place, this is the second line of defence.
 */
export const REDACTED_PATHS = [
  '*.idNumber',
  '*.name',
  '*.phone',
  '*.line',
  '*.applicant',
  '*.deliveryAddress',
  '*.authorization',
  'req.headers.authorization',
  'applicant',
  'idNumber',
  'phone',
];

/** Structured JSON logs (pino) behind Nest's logger interface. */
export class PinoNestLogger implements LoggerService {
  private readonly logger: Logger;

  /** Logs go to standard output, or to `file` (appended, written synchronously) when given. */
  constructor(bindings: Record<string, string>, level = 'info', file?: string) {
    this.logger = pino(
      {
        level,
        base: bindings,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      file === undefined ? undefined : pino.destination({ dest: file, sync: true, mkdir: true }),
    );
  }

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest.at(-1) as string | undefined);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, context?: string): void {
    // Below the level: not even the object is built (intake logs every application at info).
    if (!this.logger.isLevelEnabled(level)) return;
    if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
