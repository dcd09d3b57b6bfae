import { describe, expect, it } from 'vitest';
import { at, BASE, lint, variant } from '../testing.js';
import { parameterUnsupplied as rule } from './parameter-unsupplied.js';

describe('parameter-unsupplied', () => {
  it('accepts optional parameters left out and required ones supplied', () => {
    expect(lint(rule, BASE)).toEqual([]);
  });

  it('reports a required query parameter a caller never supplies', () => {
    const yaml = variant((doc) => {
      at.consumedOp(doc).inputParameters[1].required = true;
      at.tool(doc).inputParameters = [{ name: 'item_id', type: 'string', description: 'Id.' }];
    });
    const found = lint(rule, yaml);
    expect(found).toHaveLength(1); // the REST operation supplies it; the MCP tool declares its inputs without it
    expect(found[0]).toMatchObject({ code: 'parameter-unsupplied', severity: 'error', pointer: '/capability/exposes/1/tools/0/call' });
    expect(found[0]!.hint).toContain('`expand: tools.expand`');
  });

  it('accepts callers that declare no inputs: the request / the derived tool arguments supply it', () => {
    const yaml = variant((doc) => {
      at.consumedOp(doc).inputParameters[1].required = true;
      delete at.restOp(doc).with;
    });
    expect(lint(rule, yaml)).toEqual([]);
  });

  it('counts a declared default as a value', () => {
    const yaml = variant((doc) => {
      Object.assign(at.consumedOp(doc).inputParameters[1], { required: true, default: 'all' });
      at.tool(doc).inputParameters = [{ name: 'item_id', type: 'string', description: 'Id.' }];
    });
    expect(lint(rule, yaml)).toEqual([]);
  });

  it('keeps an in: path parameter without a placeholder an error even for a caller without inputs', () => {
    const yaml = variant((doc) => {
      at.consumedOp(doc).inputParameters.push({ name: 'Bucket', in: 'path', required: true });
      delete at.restOp(doc).with;
    });
    const found = lint(rule, yaml);
    expect(found.map((d) => d.pointer)).toEqual(['/capability/exposes/0/resources/0/operations/0/call', '/capability/exposes/1/tools/0/call']);
    expect(found[0]!.hint).toContain('has no such placeholder');
  });

  it('points at the authentication when the parameter duplicates its header', () => {
    const yaml = variant((doc) => {
      at.consumedOp(doc).inputParameters.push({ name: 'Authorization', in: 'header', required: true });
    });
    const found = lint(rule, yaml);
    expect(found).toHaveLength(1); // the MCP tool offers it as an argument; the REST operation's with does not supply it
    expect(found[0]!.hint).toContain('already sends the authorization header');
  });

  it('leaves path placeholders to path-parameter-unsupplied', () => {
    expect(lint(rule, variant((doc) => delete at.restOp(doc).with.item_id))).toEqual([]);
  });
});
