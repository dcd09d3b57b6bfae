import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, parseBody } from './index.js';
import { preloadFormats } from './index.js';

beforeAll(() => preloadFormats(['xml', 'markdown']));

const md = (s: string, outputSchema?: string): unknown =>
  parseBody('markdown', s, outputSchema === undefined ? undefined : { outputSchema });

const DOC = [
  '---',
  'title: Release notes',
  'version: 2',
  '---',
  'Intro text is not in any section.',
  '',
  '# API v2',
  '',
  'First *paragraph*',
  'continues here with `code`.',
  '',
  '| Endpoint | Method |',
  '|----------|--------|',
  '| /ships   | GET    |',
  '| /ports   |',
  '| /x       | POST | extra |',
  '',
  'After the table.',
  '',
  '## API limits',
  '',
  'Line one\\',
  'line two',
  '',
  '```',
  'code block is ignored',
  '```',
  '',
  '## Changelog',
  '',
  '- item',
  '',
].join('\r\n');

describe('markdown', () => {
  it('front matter, top-level tables and sections', () => {
    expect(md(DOC)).toEqual({
      frontMatter: { title: 'Release notes', version: 2 },
      tables: [
        [
          { Endpoint: '/ships', Method: 'GET' },
          { Endpoint: '/ports', Method: '' },
          { Endpoint: '/x', Method: 'POST' },
        ],
      ],
      sections: [
        { heading: 'API v2', level: 1, content: 'First paragraph continues here with code.\nAfter the table.' },
        { heading: 'API limits', level: 2, content: 'Line one\nline two' },
        { heading: 'Changelog', level: 2, content: 'item' },
      ],
    });
  });

  it('sections filtered by heading prefix (outputSchema)', () => {
    const out = md(DOC, 'API') as { sections: { heading: string }[] };
    expect(out.sections.map((s) => s.heading)).toEqual(['API v2', 'API limits']);
  });

  it('no front matter / unterminated front matter → {}', () => {
    expect(md('# Hi\n\ntext')).toEqual({ frontMatter: {}, tables: [], sections: [{ heading: 'Hi', level: 1, content: 'text' }] });
    expect((md('---\na: 1\n') as { frontMatter: unknown }).frontMatter).toEqual({});
    expect((md('---\n- a\n- b\n---\nbody') as { frontMatter: unknown }).frontMatter).toEqual({});
  });

  it('tables nested in other blocks are ignored; blank-header tables skipped', () => {
    expect((md('> | a |\n> |---|\n> | 1 |\n') as { tables: unknown[] }).tables).toEqual([]);
    expect((md('|  |  |\n|--|--|\n| 1 | 2 |\n') as { tables: unknown[] }).tables).toEqual([]);
  });

  it('empty document', () => {
    expect(md('')).toEqual({ frontMatter: {}, tables: [], sections: [] });
  });

  it('invalid front matter YAML → FormatError', () => {
    expect(() => md('---\na: [1\n---\nbody')).toThrow(FormatError);
  });
});
