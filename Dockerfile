# syntax=docker/dockerfile:1
# neotool-assets: the service (`serve`, the default command) and the operator CLI in one image:
#   docker build -t neotool-assets .
#   docker run --rm -p 8083:8083 --env-file assets.env neotool-assets
#   docker run --rm --env-file assets.env neotool-assets doctor
# The image holds the compiled dist/ and no src/: bin/neotool-assets.js runs TypeScript through tsx only
# when src/ exists (a git clone).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile TypeScript into dist/ (the build script also copies the SQL migrations there) ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts and no optional packages: the compiler needs neither (they are platform binaries of
# the dev-mode tools).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --omit=optional --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- prod-deps: production dependencies only ---
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# The dev-mode tools (embedded PostgreSQL, s3rver, tsx) are devDependencies; the one optional package
# left in the production tree is pg-cloudflare (Workers only). Type declarations that a runtime package
# lists as dependencies (@opentelemetry/instrumentation-pg: @types/pg, @types/node) are never loaded: removed.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && rm -rf node_modules/@types

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards signals and reaps children, so every command (not only `serve`, which handles
# SIGTERM itself) stops on `docker stop`, Ctrl-C and Kubernetes' SIGTERM.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# package.json says "type": "module", which dist/ and bin/ need; config/ holds the default namespaces file
# (ASSET_CONFIG_PATH=config/namespaces.yaml, relative to /app).
COPY package.json ./
COPY bin ./bin
COPY config ./config
# The web console (ASSET_CONSOLE_ENABLED=true), built and committed by `npm run build:console`.
COPY console/dist ./console/dist
# The node image's unprivileged user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8083
# /health answers 200 only when PostgreSQL and both buckets answer. Node's fetch: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8083) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A 64 MB young generation (V8's default: 16 MB): under load most of a request's garbage then dies
# before a scavenge, which otherwise copies it. Measured with npm run bench: ~13 % less service CPU per
# createAssetUpload (4 of 4 interleaved pairs). It can take up to ~100 MB more memory under load (two 64 MB semi-spaces instead of two 16 MB).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=64", "bin/neotool-assets.js"]
CMD ["serve"]
