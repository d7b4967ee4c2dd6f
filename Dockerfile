# syntax=docker/dockerfile:1
# The API as a production image: compiled JavaScript, production dependencies only, a non-root
# user. The server applies pending migrations at start unless MIGRATE_ON_START=false; then
# `node dist/src/infrastructure/migrate.js` (the compiled `npm run migrate`) does it once per deploy.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
# glibc's malloc: src/infrastructure/node-flags.ts (PRODUCTION_ENV; a test keeps the two in step).
ENV MALLOC_ARENA_MAX=2
ENV MALLOC_MMAP_THRESHOLD_=131072
ENV MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Embedded data (PGlite files, the outbox, local uploads) lives here; the compose file mounts a
# named volume on data/uploads, which Docker seeds with this ownership.
RUN mkdir -p data/uploads data/outbox && chown -R node:node data
USER node
ENV PORT=3000 DATA_DIR=/app/data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node flags: src/infrastructure/node-flags.ts (a test keeps the two in step).
CMD ["node", "--max-old-space-size=160", "dist/src/infrastructure/main.js"]
