# syntax=docker/dockerfile:1
# capability-runtime container image.
#
#   docker build -t capability-runtime .
#   docker run --rm -p 8080:8080 -p 9100:9100 -v "$PWD/capabilities:/capabilities:ro" capability-runtime
#
# Configuration is by environment (every `runtime serve` flag has a RUNTIME_* variable, see README "Deploying");
# capability files are read from /capabilities (mount a folder or a Kubernetes ConfigMap there).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- production dependencies only (no build tools, no test libraries) -------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build, and no production dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- build: TypeScript to dist/, precompiled schema validators ----------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# --- runtime: node, tini, the compiled runtime and its production dependencies ------------------------
FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to the runtime (which drains in-flight requests) and reaps
# the --workers processes; Node as PID 1 would neither get default signal handling nor reap.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    RUNTIME_PATHS=/capabilities \
    RUNTIME_HOST=0.0.0.0 \
    RUNTIME_REST_PORT=8080 \
    RUNTIME_MCP_PORT=9090 \
    RUNTIME_CONTROL_PORT=9100 \
    RUNTIME_LOG_FORMAT=json \
    RUNTIME_WATCH=true \
    RUNTIME_DRAIN_TIMEOUT_MS=20000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY bin ./bin
# Default capabilities (the Lean token seed); mount your own over /capabilities.
COPY capabilities /capabilities
# The image's files belong to root and are read-only to the runtime user (uid 1000, "node").
USER node
EXPOSE 8080 9090 9100
# Liveness on the control port (Node's fetch: no curl in the slim image).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.RUNTIME_CONTROL_PORT||9100)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/runtime.js"]
CMD ["serve"]
