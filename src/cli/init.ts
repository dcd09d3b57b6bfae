/**
 * `runtime init [DIR]`: a newcomer's first minute — a folder with a
 * `runtime.yaml` and a sample capability that serves at once (REST and MCP,
 * no upstream, no credentials), plus the next steps. Existing files are never
 * overwritten. Exit codes: 0 created, 2 a file already exists or the folder
 * cannot be written.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

const RUNTIME_YAML = `# Settings for \`runtime serve\` (flags and RUNTIME_* environment variables win over this file).
paths:
  - capabilities
host: 127.0.0.1        # listen on loopback only; use 0.0.0.0 in a container
restPort: 8080         # every REST adapter shares this port (/openapi.json and /docs describe them)
mcpPort: 9090          # every MCP adapter shares this port (Streamable HTTP at /mcp)
# upstreams:           # send an upstream elsewhere (sandbox, mock, another region)
#   https://api.example.com: http://127.0.0.1:4010
# tokenProviders:      # mint a bind variable as an OAuth 2.0 client-credentials token
#   EXAMPLE_TOKEN:
#     tokenUrl: https://auth.example.com/oauth2/token
#     clientIdEnv: EXAMPLE_CLIENT_ID
#     clientSecretEnv: EXAMPLE_CLIENT_SECRET
`;

const SAMPLE = `# A first capability: one REST operation and one MCP tool that answer without calling any upstream.
# Next: \`runtime import openapi your-api.yaml -o capabilities/your-api.yaml\` turns an OpenAPI document
# into a capability that calls your API.
naftiko: 1.0.0-alpha2
info:
  label: Hello
  description: A sample capability made by runtime init; it greets whoever calls it.
capability:
  exposes:
    - type: rest
      namespace: hello-rest
      port: 8080
      description: The greeting over REST.
      resources:
        - path: /hello/{name}
          name: hello
          description: A greeting for one name.
          operations:
            - method: GET
              name: greet
              description: Greets the name in the path.
              inputParameters:
                - name: name
                  in: path
                  type: string
                  required: true
                  description: Who to greet.
              outputParameters:
                - name: greeting
                  type: string
                  value: Hello, {{name}}!
    - type: mcp
      namespace: hello-mcp
      port: 9090
      transport: http
      description: The greeting as an MCP tool.
      tools:
        - name: greet
          description: Greets a name.
          hints:
            readOnly: true
            openWorld: false
          inputParameters:
            - name: name
              type: string
              required: true
              description: Who to greet.
          outputParameters:
            - name: greeting
              type: string
              value: Hello, {{name}}!
`;

export async function initProject(dir: string, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const root = resolve(dir);
  const files = [
    { path: join(root, 'runtime.yaml'), text: RUNTIME_YAML },
    { path: join(root, 'capabilities', 'hello.yaml'), text: SAMPLE },
  ];
  for (const f of files) {
    if (await exists(f.path)) {
      io.stderr.write(`runtime: ${f.path} already exists; init never overwrites (choose an empty folder)\n`);
      return 2;
    }
  }
  try {
    await mkdir(join(root, 'capabilities'), { recursive: true });
    for (const f of files) await writeFile(f.path, f.text, { flag: 'wx' });
  } catch (error) {
    io.stderr.write(`runtime: cannot write in ${root}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 2;
  }
  const where = relative(process.cwd(), root) || '.';
  io.stdout.write(
    [
      `Created ${join(where, 'runtime.yaml')} and ${join(where, 'capabilities/hello.yaml')}.`,
      '',
      'Next:',
      `  cd ${where} && runtime serve                      # REST on :8080, MCP on :9090`,
      '  curl http://127.0.0.1:8080/hello/world          # {"greeting":"Hello, world!"}',
      '  open http://127.0.0.1:8080/docs                 # the API documentation',
      '  runtime import openapi your-api.yaml -o capabilities/your-api.yaml',
      '',
    ].join('\n'),
  );
  return 0;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
