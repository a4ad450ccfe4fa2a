import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/paths';

const exec = promisify(execFile);

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null }[];
}

/** The project's own lint configuration, run over fixtures that break the shape on purpose (`npm run lint` ignores them). */
async function lintFixtures(): Promise<Map<string, string[]>> {
  const eslint = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
  // ESLint exits 1 when it finds problems: the JSON on stdout is what the test reads either way.
  const output = await exec(process.execPath, [eslint, '--no-ignore', '--format', 'json', 'test/fixtures/lint'], {
    cwd: ROOT,
    maxBuffer: 10_000_000,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const results = JSON.parse(output.stdout) as LintResult[];
  return new Map(
    results.map((r) => [
      path.relative(path.join(ROOT, 'test', 'fixtures', 'lint'), r.filePath),
      r.messages.map((m) => m.ruleId ?? 'parse-error'),
    ]),
  );
}

test('when a feature imports another feature’s repository, or two modules import each other, then lint fails', async () => {
  const found = await lintFixtures();
  expect(Object.fromEntries(found)).toEqual({
    'src/alpha/alpha.service.ts': ['no-restricted-imports'],
    'src/beta/beta.repository.ts': [],
    'src/gamma/first.ts': ['import-x/no-cycle'],
    'src/gamma/second.ts': ['import-x/no-cycle'],
  });
});
