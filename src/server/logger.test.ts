import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../engine/redact.js';
import pino from 'pino';
import { createLogger, isoTimestamp, scrubCredentialFields } from './logger.js';

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

describe('log lines: time field', () => {
  it('writes the same text as pino isoTime, formatted once per millisecond', () => {
    let clock = Date.UTC(2026, 11, 6, 15, 0, 0, 123);
    const stamp = isoTimestamp(() => clock);
    const first = stamp();
    expect(first).toBe(`,"time":"${new Date(clock).toISOString()}"`);
    expect(stamp()).toBe(first);
    clock += 1;
    expect(stamp()).toBe(`,"time":"2026-12-06T15:00:00.124Z"`);
    expect(stamp()).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
    expect(isoTimestamp()().slice(0, 9)).toBe(pino.stdTimeFunctions.isoTime().slice(0, 9));
  });
});
