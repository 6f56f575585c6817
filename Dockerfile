# syntax=docker/dockerfile:1
# One image for every role: the entrypoint is the shardgate CLI (`gateway`, `node`, `dev`, …).
# Build: docker build -t shardgate .   Run a cluster: docker compose up (see docker-compose.yml).

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY gateway ./gateway
COPY shard-node ./shard-node

FROM node:24-bookworm-slim
# tini as PID 1: forwards SIGTERM to the CLI (which drains and exits) and reaps children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown node:node /data
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production \
    SHARDGATE_HOST=0.0.0.0 \
    SHARDGATE_DATA_DIR=/data \
    SHARDGATE_NODE_HOST=0.0.0.0 \
    SHARDGATE_NODE_DATA_DIR=/data
USER node
VOLUME ["/data"]
EXPOSE 9000 9100
ENTRYPOINT ["tini", "--", "node", "bin/shardgate.js"]
CMD ["gateway"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "bin/shardgate.js", "health", "gateway"]
