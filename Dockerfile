# bob-controller image (bobctl is inside too: `--entrypoint node <image> dist/cli/main.js`).
# Build: docker build -t ghcr.io/k8sstormcenter/bob-controller:dev .
# Runs as 65532 on a read-only root filesystem (config/manager/deployment.yaml):
# it writes only to /data (artifacts) and /tmp (fetch scratch space, HOME).
ARG NODE_IMAGE=node:24-bookworm-slim

# Stage 1: compile src/ to dist/, then drop the dev dependencies. The `node`
# devDependency gives npm scripts Node 24 on any machine; here it is pruned
# with the rest, and the runtime stage uses the base image's node.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/.cache

# Stage 2: the runtime, with production dependencies only.
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="bob-controller" \
      org.opencontainers.image.description="Delivers OCI artifacts into Kubernetes clusters only when they are trusted." \
      org.opencontainers.image.licenses="Apache-2.0"
# HOME=/tmp: nothing may write to the read-only root filesystem.
# NODE_DISABLE_COMPILE_CACHE: the module compile cache would write to disk.
ENV NODE_ENV=production \
    HOME=/tmp \
    NODE_DISABLE_COMPILE_CACHE=1
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY config/crd ./config/crd
# For `docker run` without a volume: /data must be writable by the runtime user.
RUN mkdir -p /data && chown 65532:65532 /data
USER 65532:65532
EXPOSE 9090 8080 9440
# Liveness and readiness are Kubernetes probes on :9440 (/healthz, /readyz), not HEALTHCHECK.
ENTRYPOINT ["node", "dist/operator.js"]
