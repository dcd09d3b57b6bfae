// Child process of log-flush.test.ts: writes N request-like lines through the
// runtime's own logger (batched destination on stdout), then ends as told.
// With a fourth argument `behind`, the reader is behind: stdout (non-blocking, as the
// runtime's is) is filled to the brim before the first line, and `exiting` on stderr
// tells the parent to start reading just before the process ends.
import { writeSync } from 'node:fs';

const [root, count, ending, reader] = process.argv.slice(2);
const { createLogger } = await import(`${root}/dist/server/logger.js`);
const { Redactor } = await import(`${root}/dist/engine/redact.js`);
const logger = createLogger({ level: 'info', redactor: new Redactor(), pretty: false });
const behind = reader === 'behind';
if (behind) {
  void process.stdout.fd; // a pipe opened as process.stdout is non-blocking (the runtime's always is)
  const filler = Buffer.from(`${'-'.repeat(1023)}\n`);
  for (;;) {
    try {
      writeSync(1, filler);
    } catch (error) {
      if (error.code === 'EAGAIN') break; // the pipe is full: every line below meets a reader that is behind
      throw error;
    }
  }
}
const exiting = () => {
  if (behind) writeSync(2, 'exiting\n');
};
for (let i = 0; i < Number(count); i++) logger.info({ i, surface: 'rest', operation: 'bench.token', status: 200 }, 'request');
if (ending === 'linger') {
  // Stays alive until the parent has read every line: a quiet process must still write what it holds.
  process.stdin.on('data', () => process.exit(0));
  setTimeout(() => process.exit(4), 60_000);
}
if (ending === 'end') exiting();
if (ending === 'crash') {
  exiting();
  throw new Error('crash after logging');
}
if (ending === 'exit') {
  exiting();
  process.exit(3);
}
if (ending === 'sigterm') {
  process.on('SIGTERM', () => {
    exiting();
    process.exit(0);
  });
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => undefined, 5000);
}
