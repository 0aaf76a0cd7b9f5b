# One image for the Node services (gateway, ingest, analytics, mock-upstream); docker-compose.yml
# picks the command. The services run from the production build (dist/, plain JavaScript): Node 24
# could run the TypeScript sources, but its type stripper would stay resident (~30 MB per process).

# --- manifests: every workspace's package.json must be present for `npm ci` to accept the
# lockfile. Both stages start here, so their dependency layers are rebuilt only when these change.
FROM node:24-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY mock-upstream/package.json mock-upstream/
COPY gateway/package.json gateway/
COPY ingest/package.json ingest/
COPY analytics/package.json analytics/
COPY bench/package.json bench/
COPY grafana-plugin/package.json grafana-plugin/

# --- build: the services' dependencies plus the root's dev tools (TypeScript), then `npm run build` -> dist/
FROM manifests AS build
RUN npm ci --no-audit --no-fund --include-workspace-root \
      --workspace schemas --workspace mock-upstream --workspace gateway --workspace ingest --workspace analytics
COPY . .
RUN node scripts/build/build.ts

# --- runtime: the services' production dependencies (not the Grafana plugin's, not test tooling) and dist/ only
FROM manifests
ENV NODE_ENV=production
RUN npm ci --omit=dev --no-audit --no-fund \
      --workspace schemas --workspace mock-upstream --workspace gateway --workspace ingest --workspace analytics \
 && npm cache clean --force

# dist/ keeps relative symlinks (dist/node_modules/@switchyard/* -> the built packages; a package's
# own node_modules, if any, -> the one installed above).
COPY --from=build /app/dist ./dist
COPY deploy ./deploy

# The gateway's Kafka spool lives in /data (a volume in docker-compose.yml), owned by the runtime user.
RUN mkdir -p /data/spool && chown -R node:node /data
USER node

# The gateway by default; compose overrides the command per service.
CMD ["node", "dist/gateway/src/main.js"]
