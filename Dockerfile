# kjoretoy-subgraph container image.
#   docker build -t kjoretoy-subgraph .                                   # the product (last stage, `runtime`)
#   docker build --target emulator -t kjoretoy-subgraph-emulator .        # the upstream emulator, for dev and tests
# With the default NODE_ENV=production the product refuses to start until the real upstream and caller-auth
# variables are set (see deploy/ and docs/operations.md). `npm run container:smoke` builds and runs both.
#
# Node 22 LTS, as package.json "engines". Pin the base by digest in CI (node:22-bookworm-slim@sha256:...).
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: all dependencies (codegen, TypeScript), then compile src/ to dist/src ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The lockfile layer first, so source edits do not reinstall dependencies.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# npm 10.8 can print "Exit handler never called!" and exit 0 having installed nothing (registry unreachable):
# `npm ls` fails unless every locked package is really there.
RUN npm ls --all > /dev/null
COPY tsconfig.json tsconfig.build.json codegen.yml ./
COPY schema ./schema
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only, no install scripts ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
RUN npm ls --omit=dev --all > /dev/null

# ---- emulator: synthetic Fiks, Maskinporten and eCoC on port 4010 (never deployed; not in the product image) ----
# Runs from TypeScript with the build stage's dev dependencies (tsx). It writes the credentials a subgraph needs to
# /app/.emulator/env and client-key.pem at every start.
FROM build AS emulator
COPY emulator ./emulator
RUN mkdir .emulator && chown 1000:1000 .emulator
ENV NODE_ENV=development \
    EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=4010
USER 1000:1000
EXPOSE 4010
CMD ["node", "--import", "tsx", "emulator/main.ts"]

# ---- runtime: the product alone, non-root ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4001 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
# Only the service (dist/src): the emulator, dev launcher, tests, bench and examples are never compiled into dist/.
COPY --from=build /app/dist/src ./dist/src
# Read at start-up by src/schema.ts (dist/src/../../schema) and src/ledger/database.ts (the ledger's SQL migrations).
COPY schema ./schema
COPY migrations ./migrations
# Files stay owned by root and read-only to the process; nothing is written at run time (logs go to stdout), so
# the container runs with readOnlyRootFilesystem (deploy/base/deployment.yaml). Numeric, so Kubernetes'
# runAsNonRoot can check it without a runAsUser.
USER 1000:1000
EXPOSE 4001
# For plain `docker run`; Kubernetes uses the probes in deploy/base/deployment.yaml instead. The slim image has no curl.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4001)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; src/index.ts handles it (drain, then exit).
CMD ["node", "dist/src/index.js"]
