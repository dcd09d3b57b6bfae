// Child process of log-flush.test.ts: writes N request-like lines through the
// runtime's own logger (asynchronous destination on stdout), then ends as told.
const [root, count, ending] = process.argv.slice(2);
const { createLogger } = await import(`${root}/dist/server/logger.js`);
const { Redactor } = await import(`${root}/dist/engine/redact.js`);
const logger = createLogger({ level: 'info', redactor: new Redactor(), pretty: false });
for (let i = 0; i < Number(count); i++) logger.info({ i, surface: 'rest', operation: 'bench.token', status: 200 }, 'request');
if (ending === 'linger') {
  // Stays alive until the parent has read every line: a quiet process must still write what it holds.
  process.stdin.on('data', () => process.exit(0));
  setTimeout(() => process.exit(4), 60_000);
}
if (ending === 'crash') throw new Error('crash after logging');
if (ending === 'exit') process.exit(3);
if (ending === 'sigterm') {
  process.on('SIGTERM', () => process.exit(0));
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => undefined, 5000);
}
