# syntax=docker/dockerfile:1
# Build stage: the same steps as the README and CI (npm ci, npm run build).
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and the compiled service, as the non-root node user.
FROM node:20-bookworm-slim
# The runtime settings of `npm start` (README, "Memory"): a bounded V8 old space, and glibc handing
# argon2's 19 MiB work buffers back to the system after each hash.
ENV NODE_ENV=production PORT=3000 CAREGATE_DATA_DIR=/app/data MALLOC_ARENA_MAX=1 NODE_OPTIONS=--max-old-space-size=512
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
