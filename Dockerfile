# Build stage: the dev dependencies compile src/ and migrations/ to dist/.
FROM node:20-bookworm-slim AS build
ENV PUPPETEER_SKIP_DOWNLOAD=true
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# Final stage: production dependencies, the compiled code, views, templates, public files. The PDF
# typeface (Noto Sans) comes with the production dependencies; Debian's Chromium prints the PDFs.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    CHROMIUM_PATH=/usr/bin/chromium \
    DATA_DIR=/app/data \
    PORT=3000 \
    NODE_OPTIONS=--max-old-space-size=192

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY scripts/build.js scripts/start.js ./scripts/
COPY views ./views
COPY templates ./templates
COPY public ./public

RUN useradd --system --create-home --home-dir /home/asbrac asbrac && mkdir -p /app/data && chown asbrac /app/data
USER asbrac
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD curl -fsS http://localhost:3000/healthz || exit 1
CMD ["node", "dist/server.js"]
