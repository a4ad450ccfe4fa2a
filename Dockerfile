FROM node:20-bookworm-slim

# Debian's Chromium prints the PDFs; Puppeteer's own browser download is not used.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    CHROMIUM_PATH=/usr/bin/chromium \
    DATA_DIR=/app/data \
    PORT=3000 \
    NODE_OPTIONS=--max-old-space-size=192

WORKDIR /app
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly, so it is kept with the production dependencies.
RUN npm install --no-audit --no-fund --include=dev && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY views ./views
COPY templates ./templates
COPY public ./public

RUN useradd --system --create-home --home-dir /home/asbrac asbrac && mkdir -p /app/data && chown asbrac /app/data
USER asbrac
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD curl -fsS http://localhost:3000/healthz || exit 1
CMD ["node", "--import", "tsx", "src/server.ts"]
