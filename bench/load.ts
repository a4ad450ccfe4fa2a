import autocannon from 'autocannon';

export interface Measure {
  name: string;
  median: number;
  p99: number;
  rps: number;
  /** Answers other than the expected status, plus connection errors and timeouts. */
  errors: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  cookie?: string;
}

/** Many GETs of one page by `connections` users at once; every answer should be 200. */
export async function loadPage(name: string, url: string, options: LoadOptions): Promise<Measure> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    headers: options.cookie ? { cookie: options.cookie } : {},
  });
  const errors = result.non2xx + result.errors + result.timeouts;
  return { name, median: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors };
}

export interface SaveTarget {
  path: string;
  version: number;
}

/**
 * The chair's Save on a meeting item, by `connections` chairs at once, each on an item of their own
 * so that no save is refused as stale: each connection keeps its item's version and sends the next
 * save with the version the last one made. Every answer should be the 303 of a save that worked.
 */
export async function loadSaves(
  name: string,
  baseUrl: string,
  targets: SaveTarget[],
  form: (version: number, n: number) => string,
  options: LoadOptions & { csrf: string },
): Promise<Measure> {
  if (targets.length < options.connections) throw new Error(`${options.connections} connections need as many items`);
  let next = 0;
  let refused = 0;
  const statuses = new Map<number, number>();
  const headers = {
    cookie: options.cookie ?? '',
    origin: new URL(baseUrl).origin,
    'content-type': 'application/x-www-form-urlencoded',
  };
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    headers,
    // Each connection is one chair on one item: each save is built as it is sent, with the version
    // the last one made (autocannon rebuilds a request before each send only when it has a setupRequest).
    setupClient: (client) => {
      const target = targets[next++];
      let n = 0;
      client.setRequests([
        {
          method: 'POST',
          path: target.path,
          setupRequest: (request) => ({
            ...request,
            body: `_csrf=${encodeURIComponent(options.csrf)}&${form(target.version, ++n)}`,
          }),
        },
      ]);
      client.on('response', (status: number) => {
        if (status === 303) target.version++;
        else {
          refused++;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      });
    },
  });
  if (statuses.size) console.log(`  ${name}: answers other than 303: ${JSON.stringify(Object.fromEntries(statuses))}`);
  return {
    name,
    median: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: refused + result.errors + result.timeouts,
  };
}
