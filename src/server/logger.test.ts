import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../engine/redact.js';
import { createLogger, scrubCredentialFields } from './logger.js';

describe('log lines: credential fields', () => {
  it.each([
    ['{"headers":{"authorization":"Bearer abc"}}', '{"headers":{"authorization":"[REDACTED]"}}'],
    ['{"req":{"Cookie":"sid=1; x=\\"q\\""}}', '{"req":{"Cookie":"[REDACTED]"}}'],
    ['{"set-cookie":"a=b","proxy-authorization":"Basic eA=="}', '{"set-cookie":"[REDACTED]","proxy-authorization":"[REDACTED]"}'],
    ['{"msg":"request","status":200}', '{"msg":"request","status":200}'],
  ])('%s', (line, expected) => {
    expect(scrubCredentialFields(line)).toBe(expected);
  });

  it('scrubs a logged header object and known secret values, at every level', () => {
    const lines: string[] = [];
    const redactor = new Redactor();
    redactor.add('s3cret-value');
    const logger = createLogger({ level: 'trace', redactor, destination: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
    logger.debug({ headers: { authorization: 'Bearer caller-token' }, note: 'uses s3cret-value' }, 'inbound');
    expect(lines.join('')).not.toContain('caller-token');
    expect(lines.join('')).not.toContain('s3cret-value');
    expect(lines.join('')).toContain('[REDACTED]');
  });
});
