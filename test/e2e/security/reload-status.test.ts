/**
 * Issue 11, "found as a new user would": a reload whose changed file fails
 * validation is counted `rejected` (partially applied reloads say `partial`),
 * an unchanged reload does not bump the generation, and /health/ready stays
 * 200 while an invalid file's previous version serves — saying it is degraded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream, type EchoUpstream } from '../../helpers/echo-upstream.js';
import { startTestRuntime, type TestRuntime } from '../../helpers/runtime.js';
import { capabilityYaml, tempDir, type TempDir } from '../ops-helpers/fixtures.js';

describe('reload results and readiness', () => {
  let upstream: EchoUpstream;
  let dir: TempDir;
  let rt: TestRuntime;
  let control: string;
  beforeAll(async () => {
    upstream = await startEchoUpstream();
    dir = tempDir('security-reload-');
    dir.write('alpha.yaml', capabilityYaml({ name: 'alpha' }));
    rt = await startTestRuntime({ paths: [dir.path], controlPort: 0, allowUnmatchedUpstreams: true /* beta/gamma overrides wait for files a reload adds */, upstream: { alpha: upstream.url, beta: upstream.url, gamma: upstream.url } });
    control = rt.runtime.summaries.find((s) => s.kind === 'control')!.url;
  });
  afterAll(async () => {
    await rt?.close();
    await upstream?.close();
    dir?.cleanup();
  });

  const reloadsMetric = async (result: string) => {
    const text = await (await fetch(`${control}/metrics`)).text();
    return Number(new RegExp(`runtime_reloads_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
  };

  it('an unchanged reload keeps the generation', async () => {
    const generation = rt.runtime.generationId;
    const result = await rt.runtime.reload();
    expect(result.result).toBe('unchanged');
    expect(result.generation).toBe(generation);
    expect(rt.runtime.generationId).toBe(generation);
  });

  it('a changed file that fails validation is a rejected reload; readiness stays 200, degraded', async () => {
    const generation = rt.runtime.generationId;
    dir.write('alpha.yaml', capabilityYaml({ name: 'alpha' }).replace('naftiko: 1.0.0-alpha2', 'naftiko: [broken'));
    const result = await rt.runtime.reload();
    expect(result.result).toBe('rejected');
    expect(result.keptPrevious).toEqual([expect.stringContaining('alpha.yaml')]);
    expect(rt.runtime.generationId).toBe(generation);
    expect(await reloadsMetric('rejected')).toBe(1);
    expect(await reloadsMetric('applied')).toBe(0);
    expect(rt.logs.some((l) => l.includes('reload rejected'))).toBe(true);
    // The previous version keeps serving, so the instance stays in rotation — and says why it is degraded.
    expect((await fetch(`${rt.restUrl}/v1/alpha/items`)).status).toBe(200);
    const ready = await fetch(`${control}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { degraded?: boolean; invalidFiles?: { file: string; servingPrevious: boolean }[] };
    expect(body.degraded).toBe(true);
    expect(body.invalidFiles).toEqual([{ file: expect.stringContaining('alpha.yaml'), servingPrevious: true }]);
  });

  it('a reload that applies one file and refuses another says partial', async () => {
    dir.write('alpha.yaml', capabilityYaml({ name: 'alpha' })); // fixed
    await rt.runtime.reload();
    const generation = rt.runtime.generationId;
    dir.write('beta.yaml', capabilityYaml({ name: 'beta', routes: ['/v1/beta'], tools: ['beta-list'] }));
    dir.write('gamma.yaml', 'naftiko: 1.0.0-alpha2\ncapability: [not, a, mapping\n');
    const result = await rt.runtime.reload();
    expect(result.result).toBe('partial');
    expect(result.added).toEqual([expect.stringContaining('beta.yaml')]);
    expect(result.skipped).toEqual([expect.stringContaining('gamma.yaml')]);
    expect(rt.runtime.generationId).toBe(generation + 1);
    expect(await reloadsMetric('partial')).toBe(1);
    expect(rt.logs.some((l) => l.includes('reload partially applied'))).toBe(true);
  });
});
