# One image for the Node services (gateway, ingest, analytics, mock-upstream); docker-compose.yml
# picks the command. TypeScript runs as-is on Node 24 (type stripping): there is no build step.
FROM node:24-slim

WORKDIR /app
ENV NODE_ENV=production

# Manifests first, so the dependency layer is rebuilt only when they change. Every workspace's
# package.json must be present for `npm ci` to accept the lockfile, but only the services'
# production dependencies are installed (not the Grafana plugin's, not test tooling).
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY mock-upstream/package.json mock-upstream/
COPY gateway/package.json gateway/
COPY ingest/package.json ingest/
COPY analytics/package.json analytics/
COPY bench/package.json bench/
COPY grafana-plugin/package.json grafana-plugin/
RUN npm ci --omit=dev --no-audit --no-fund \
      --workspace schemas --workspace mock-upstream --workspace gateway --workspace ingest --workspace analytics \
 && npm cache clean --force

COPY . .

# The gateway's Kafka spool lives in /data (a volume in docker-compose.yml), owned by the runtime user.
RUN mkdir -p /data/spool && chown -R node:node /data
USER node

# The gateway by default; compose overrides the command per service.
CMD ["node", "gateway/src/main.ts"]
