/** Raised when an upstream body cannot be converted with the declared `outputRawFormat`. */
export class FormatError extends Error {
  /** The (lower-cased) format that was being parsed, e.g. `json`, `xml`. */
  readonly format: string;
  /** The message before clipping: callers that redact clip it themselves, after redacting (a cut secret would leak its prefix). */
  readonly fullMessage: string;

  constructor(format: string, message: string, options?: { cause?: unknown }) {
    super(clip(message), options);
    this.name = 'FormatError';
    this.format = format;
    this.fullMessage = message.length > 64 * 1024 ? message.slice(0, 64 * 1024) : message;
  }
}

const MAX_MESSAGE = 200;

/** Keep messages short: never echo more than ~200 chars of (possibly huge) body text. */
export function clip(text: string, max = MAX_MESSAGE): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Short message of an unknown thrown value. */
export function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
