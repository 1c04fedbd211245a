# bob-controller and bobctl in one image. Build: docker build -t bob .
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY config ./config
# Artifacts live on a volume; the controller runs as an unprivileged user.
RUN mkdir -p /data && chown 65532:65532 /data
USER 65532:65532
VOLUME /data
EXPOSE 9090 8080
ENTRYPOINT ["node", "dist/operator.js"]
