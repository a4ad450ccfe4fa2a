import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { ROOT } from './paths';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * faketime's settings, when the tests run under it: the server then sees the same moved clock as
 * the test that drives it, instead of the real date.
 */
function movedClock(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => /^(LD_PRELOAD|FAKETIME.*|DONT_FAKE_MONOTONIC)$/.test(e[0]) && e[1] !== undefined,
    ),
  );
}

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  baseUrl: string;
  exited: Promise<number | null>;
}

/**
 * Starts the real server as its own process and waits until it listens: the sources with tsx's
 * loader, or with `compiled` the build that `npm start` and the production image run (built first
 * when stale). Either way one node process, so signals reach the server itself.
 */
export async function startAppProcess(
  env: Record<string, string>,
  timeoutMs = 60000,
  options: { compiled?: boolean; untilOutput?: string } = {},
): Promise<AppProcess> {
  const port = env.PORT ?? String(await freePort());
  let out = '';
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build's own CommonJS script, as npm start uses it
  if (options.compiled) (require('../../scripts/build') as { ensureBuilt(): void }).ensureBuilt();
  const entry = options.compiled ? ['dist/server.js'] : ['--import', 'tsx', 'src/server.ts'];
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...movedClock(),
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      MAIL_WORKER_INTERVAL_MS: '200',
      ...env,
      PORT: port,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the start of the output (start-up messages) and its most recent part, not all of it, in
  // whole lines: each stream's lines are added once complete, so the two never mix within a line,
  // and the output is trimmed only at line ends.
  const keep = () => {
    let partial = '';
    return (d: Buffer) => {
      const text = partial + d.toString();
      const end = text.lastIndexOf('\n') + 1;
      partial = text.slice(end);
      out += text.slice(0, end);
      if (out.length > 400_000) {
        const head = out.slice(0, out.indexOf('\n', 100_000) + 1);
        out = head + out.slice(out.indexOf('\n', out.length - 200_000) + 1);
      }
    };
  };
  child.stdout.on('data', keep());
  child.stderr.on('data', keep());
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  const baseUrl = `http://127.0.0.1:${port}`;
  const listening = async () => {
    if (out.includes(options.untilOutput ?? 'listening on')) return true;
    if (options.untilOutput) return false;
    try {
      return (await fetch(`${baseUrl}/ping`)).ok;
    } catch {
      return false;
    }
  };
  while (!(await listening())) {
    if (child.exitCode !== null) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out, baseUrl, exited };
}

/** Fails with the process's own output when it is not running: the likeliest explanation of a failure. */
export function expectRunning(app: AppProcess): void {
  if (app.child.exitCode !== null)
    throw new Error(`the app process exited with ${app.child.exitCode}:\n${app.output()}`);
}

/** The `name=value` pairs a response sets, without their attributes. */
export function cookiesSet(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]);
}

/**
 * Signs in over real HTTP and returns the session cookie. The sign-in form's token is bound to a
 * cookie of its own (signed-out visitors have no session), which is sent back with the form.
 */
export async function signInOverHttp(baseUrl: string, email: string, password = 'demo-password'): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const cookie = cookiesSet(page).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password }),
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const session = cookiesSet(res).find((c) => /^(__Host-)?asbrac\.sid=/.test(c));
  if (!session) throw new Error('sign-in set no session cookie');
  return session;
}

/** Polls until `check` gives a value (not undefined or false), or fails saying what was awaited. */
export async function waitUntil<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The process's own children and theirs, read from /proc (Linux). */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      // The command name may hold spaces and brackets: the fields after its closing bracket are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone while reading
    }
  }
  const found: number[] = [];
  for (let queue = [pid]; queue.length;) {
    const children = parents.get(queue.shift()!) ?? [];
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** Whether a process is still running: a zombie (exited, not yet reaped by its new parent) is not. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The lines of the process's output that are not one JSON object each: there should be none. */
export function linesNotInTheLog(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
}

/** Sends SIGKILL and waits for the process to be gone. */
export async function killHard(app: AppProcess): Promise<void> {
  app.child.kill('SIGKILL');
  await app.exited;
}

export interface CountingSmtp {
  url: string;
  /** The Message-ID of every message accepted, in order, repeats included. */
  accepted: string[];
  /** Messages whose data has arrived and whose answer is being held back (see `hold`). */
  held: number;
  /** From now on, receive each message's data but never answer it, as a server that hangs would. */
  hold(): void;
  /** Accepts messages again (those already held stay unanswered). */
  accept(): void;
  /** How many times each Message-ID was accepted more than once, in all. */
  duplicates(): number;
  close(): Promise<void>;
}

/**
 * A real SMTP server that accepts every message after `delayMs` (so that a worker is caught
 * part-way through a batch) and counts Message-IDs, for tests that stop or kill app processes.
 */
export async function startCountingSmtp(delayMs = 0): Promise<CountingSmtp> {
  const { SMTPServer } = await import('smtp-server');
  const accepted: string[] = [];
  let holding = false;
  const sink: CountingSmtp = {
    url: '',
    accepted,
    held: 0,
    hold: () => {
      holding = true;
    },
    accept: () => {
      holding = false;
    },
    duplicates: () => accepted.length - new Set(accepted).size,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (holding) {
          sink.held++;
          return;
        }
        const id = /^message-id:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? '(none)';
        setTimeout(() => {
          accepted.push(id);
          callback();
        }, delayMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as net.AddressInfo).port}`;
  return sink;
}
