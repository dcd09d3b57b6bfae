/**
 * A small capability in front of the fake Lean for the deployment tests:
 * `GET /v1/banks` → Lean `GET /banks/v1/` with a bearer token minted by the
 * runtime's token provider (LEAN_API_TOKEN).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TOKEN_PROVIDER_FLAG =
  'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api';

export function leanBanksYaml(options: { routes?: string[] } = {}): string {
  const routes = options.routes ?? ['/v1/banks'];
  return [
    'naftiko: 1.0.0-alpha2',
    'info:',
    '  label: Deploy test banks',
    '  description: Lists Lean banks with a runtime-minted token.',
    'binds:',
    '- namespace: env',
    '  keys:',
    '    LEAN_API_TOKEN: LEAN_API_TOKEN',
    'capability:',
    '  consumes:',
    '  - type: http',
    '    namespace: lean-banks',
    '    baseUri: https://api2.leantech.me',
    '    description: Lean banks API.',
    '    authentication:',
    '      type: bearer',
    "      token: '{{LEAN_API_TOKEN}}'",
    '    resources:',
    '    - name: banks',
    '      path: /banks/v1/',
    '      operations:',
    '      - name: list',
    '        method: GET',
    '        outputRawFormat: json',
    '        outputParameters:',
    '        - name: result',
    '          type: object',
    '          value: $.',
    '  exposes:',
    '  - type: rest',
    '    namespace: lean-banks-rest',
    '    port: 8080',
    '    description: Banks over REST.',
    '    resources:',
    ...routes.flatMap((path, i) => [`    - path: ${path}`, `      name: banks${i}`, '      operations:', '      - method: GET', `        name: list${i}`, '        call: lean-banks.list']),
    '',
  ].join('\n');
}

/** Writes the capability into `dir` (created) and returns the file. */
export function leanBanksCapability(dir: string, name = 'banks.yaml', options: { routes?: string[] } = {}): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, leanBanksYaml(options));
  return file;
}
