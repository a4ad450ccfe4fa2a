import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './process';

/** Debian's PostgreSQL binaries, newest version first. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const version = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  const dir = version && path.join(base, version, 'bin');
  return dir && existsSync(path.join(dir, 'pg_ctl')) ? dir : undefined;
}

export interface ThrowawayPostgres {
  url: string;
  /** Stops the server; `immediate` aborts it as a crash would, without a clean shutdown. */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

/**
 * A PostgreSQL server of the test's own, which the test may stop and start: a real database outage
 * without touching the machine's server. As root, it runs as the postgres user.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL's binaries were not found under /usr/lib/postgresql (Debian: postgresql)");
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asbrac-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => {
    const cmd = [path.join(bin, tool), ...args].map((a) => `'${a}'`).join(' ');
    // No pipes: the server that pg_ctl starts would inherit them and keep this call waiting.
    execFileSync(asRoot ? 'su' : 'sh', asRoot ? ['postgres', '-s', '/bin/sh', '-c', cmd] : ['-c', cmd], {
      stdio: 'ignore',
    });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-l',
      path.join(dir, 'log'),
      '-w',
      'start',
    ]);
  const stop = (mode: 'fast' | 'immediate' = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
