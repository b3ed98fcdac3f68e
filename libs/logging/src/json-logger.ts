import type { LoggerService } from "@nestjs/common";
import { pino, type DestinationStream, type Logger } from "pino";

/**
 * Paths that may carry personal data. They are censored wherever they appear in a log object;
 * code should not log them in the first place, this is the second line of defence.
 */
export const REDACTED_PATHS = [
  "*.idNumber",
  "*.name",
  "*.phone",
  "*.line",
  "*.applicant",
  "*.deliveryAddress",
  "*.authorization",
  "req.headers.authorization",
  "applicant",
  "idNumber",
  "phone",
];

/** The levels every process of the project takes (LOG_LEVEL). */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where the JSON lines go: standard output (absent), a file (appended, written synchronously), or a stream (tests). */
export type LogDestination = string | DestinationStream;

/**
 * The one JSON logger of every process (gateway, adapters, simulators): pino, one JSON object per
 * line, ISO timestamps, `bindings` on every line (`app`, `node`), personal-data paths censored.
 * A line about a case names it `caseNumber` and, when a message caused it, `messageId`.
 *
 * @example createJsonLogger({ app: 'adapter', node: 'SC' }, 'info').info({ msg: 'handed to agency', caseNumber, messageId })
 */
export function createJsonLogger(
  bindings: Record<string, string>,
  level: LogLevel | (string & {}) = "info",
  destination?: LogDestination,
): Logger {
  return pino(
    {
      level,
      base: bindings,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination === undefined
      ? undefined
      : typeof destination === "string"
        ? pino.destination({ dest: destination, sync: true, mkdir: true })
        : destination,
  );
}

/**
 * The JSON logger behind Nest's logger interface, for `NestFactory.create(…, { logger })`: Nest's
 * own lines and every `new Logger(context)` of the process come out as JSON lines, the context in
 * `context`.
 *
 * @example NestFactory.createMicroservice(module, { logger: new PinoNestLogger({ app: 'adapter', node: 'SC' }, 'info') })
 */
export class PinoNestLogger implements LoggerService {
  /** The pino logger underneath, for code that logs without Nest (the simulators' systems). */
  readonly pino: Logger;

  /** `level` is a pino level (LOG_LEVELS, or `trace`/`fatal`); pino refuses another. */
  constructor(
    bindings: Record<string, string>,
    level: LogLevel | (string & {}) = "info",
    destination?: LogDestination,
  ) {
    this.pino = createJsonLogger(bindings, level, destination);
  }

  log(message: unknown, context?: string): void {
    this.write("info", message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write("error", message, rest.at(-1) as string | undefined);
  }
  warn(message: unknown, context?: string): void {
    this.write("warn", message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write("debug", message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write("trace", message, context);
  }

  private write(
    level: "info" | "error" | "warn" | "debug" | "trace",
    message: unknown,
    context?: string,
  ): void {
    // Below the level: not even the object is built (intake logs every application at info).
    if (!this.pino.isLevelEnabled(level)) return;
    if (typeof message === "object" && message !== null) {
      this.pino[level]({ context, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level]({ context }, String(message));
    }
  }
}
