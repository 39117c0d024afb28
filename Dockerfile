#
# One image for every Conveyor service. The APP variable picks which one runs:
#   docker build -t conveyor .
#   docker run -e APP=inference conveyor                 # gateway | inference | persistence | notification | streaming | embedded
#   docker run conveyor node dist/libs/database/src/migrate.cli.js   # one-shot migrations (reads DATABASE_URL)
# or bake a default in at build time: docker build --build-arg APP=inference -t conveyor-inference .
#
# No HEALTHCHECK here on purpose: the image is shared by HTTP services (gateway on PORT 8000, streaming on
# STREAMING_PORT 8001) and by pure queue consumers (inference, persistence, notification) that listen on no port.
# docker-compose.yml and the Helm chart attach HTTP checks to the two HTTP services only.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install every dependency, compile, then drop the dev dependencies -------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false

# Dependencies first, so that a change to the sources reuses this layer.
COPY package.json package-lock.json ./
RUN npm ci

COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build \
 && npm prune --omit=dev \
 && test -f dist/libs/database/src/migrate.cli.js

# ---- runtime: production node_modules + compiled output, as the unprivileged `node` user ---------------------------
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: forwards SIGTERM to node (graceful drain: workers finish or hand back their jobs) and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ARG APP=gateway
ENV NODE_ENV=production \
    APP=${APP} \
    HOST=0.0.0.0 \
    PORT=8000

COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The code is read-only to the running user; only the embedded mode's data directory (EMBEDDED_DATA_DIR,
# default .conveyor/pgdata relative to /app) is writable.
RUN mkdir -p /app/.conveyor && chown node:node /app/.conveyor

USER node
EXPOSE 8000 8001

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["sh", "-c", "exec node dist/apps/$APP/src/main.js"]
