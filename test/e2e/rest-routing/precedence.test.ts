/**
 * Regression: a literal path segment wins over a path parameter whatever the
 * order the routes were declared in (lean.md §2.9: `/customers/v1/entities`
 * vs `/customers/v1/{customer_id}`, declared by two files of the Lean pack).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';

const capability = (ns: string, path: string, value: string) => `naftiko: 1.0.0-alpha2
info: { label: ${ns}, description: route precedence }
capability:
  exposes:
    - type: rest
      namespace: ${ns}
      port: 8080
      resources:
        - path: ${path}
          name: r
          description: one route
          operations:
            - method: GET
              name: get
              description: a fixed answer
              outputParameters:
                - { name: which, type: string, value: ${value} }
`;

describe('REST route precedence', () => {
  let dir: string;
  let rt: TestRuntime;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'route-precedence-'));
    // The parameter route comes first (file names sort), the literal one second.
    await writeFile(join(dir, 'a-param.yaml'), capability('by-id', '/customers/v1/{customer_id}', 'by-id'));
    await writeFile(join(dir, 'b-literal.yaml'), capability('entities', '/customers/v1/entities', 'entities'));
    rt = await startTestRuntime({ paths: [dir] });
  });
  afterAll(async () => {
    await rt?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the literal route for its own path and the parameter route for others', async () => {
    expect(await (await fetch(`${rt.restUrl}/customers/v1/entities`)).json()).toEqual({ which: 'entities' });
    expect(await (await fetch(`${rt.restUrl}/customers/v1/c-1`)).json()).toEqual({ which: 'by-id' });
  });
});
