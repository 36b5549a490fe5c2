# kjoretoy-subgraph container image.
#   docker build -t kjoretoy-subgraph .
# With the default NODE_ENV=production it refuses to start until the real upstream and caller-auth variables are set
# (see deploy/ and docs/operations.md).
#
# Pin the base image by digest in CI (node:22-bookworm-slim@sha256:...); Node 22 LTS matches package.json "engines".
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: all dependencies (codegen, TypeScript), then compile to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The lockfile layer first, so source edits do not reinstall dependencies.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.yml ./
COPY schema ./schema
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies only, non-root ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4001 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install hooks run in the image that ships.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# Only the service (dist/src). The emulator, dev launcher, bench and examples are not built into dist/.
COPY --from=build /app/dist/src ./dist/src
# Read at start-up by src/schema.ts (dist/src/../../schema).
COPY schema ./schema
# Files stay owned by root and read-only to the process; nothing is written at run time (logs go to stdout), so
# the container runs with readOnlyRootFilesystem (deploy/deployment.yaml).
USER node
EXPOSE 4001
# For plain `docker run`; Kubernetes uses the probes in deploy/deployment.yaml instead. The slim image has no curl.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4001)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; src/index.ts handles it (drain, then exit).
CMD ["node", "dist/src/index.js"]
