import { z } from 'zod';
import { fieldId, fieldName, flattenValues, optionalIdChoice, parseForm, requiredText } from '../../src/http/forms';
import { isSingleAddress, markedSubject } from '../../src/mail/outbox';
import { isPermanent, retryDelayMs } from '../../src/mail/mail.worker';

test('field names and ids follow what the browser sends', () => {
  expect(fieldName(['subjects', 0, 'name'])).toBe('subjects[0][name]');
  expect(fieldId('subjects[0][name]')).toBe('subjects-0-name');
  expect(flattenValues({ a: '1', subjects: [{ name: 'x', flags: ['p', 'q'] }] })).toEqual({
    a: '1',
    'subjects[0][name]': 'x',
    'subjects[0][flags]': ['p', 'q'],
  });
});

test('a failed parse keeps what was typed and gives one message per field, in order', () => {
  const schema = z.object({ name: requiredText('a name', 5), team: optionalIdChoice('Select a team') });
  const result = parseForm(schema, { name: 'too long name', team: 'x' });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.form.values).toEqual({ name: 'too long name', team: 'x' });
  expect(result.form.errorList).toEqual([
    { text: 'A name must be 5 characters or fewer', href: '#name' },
    { text: 'Select a team', href: '#team' },
  ]);
  expect(parseForm(schema, { name: ' Ann ' })).toEqual({ ok: true, data: { name: 'Ann', team: null } });
});

test('retry delays grow exponentially with jitter and are capped at an hour', () => {
  expect(retryDelayMs(1, () => 0)).toBe(15_000);
  expect(retryDelayMs(1, () => 0.999999)).toBeLessThanOrEqual(45_000);
  expect(retryDelayMs(2, () => 0.5)).toBe(60_000);
  expect(retryDelayMs(3, () => 0.5)).toBe(120_000);
  expect(retryDelayMs(30, () => 0.5)).toBe(3_600_000);
});

test('5xx is permanent; 4xx and network errors are temporary', () => {
  expect(isPermanent({ responseCode: 550 })).toBe(true);
  expect(isPermanent({ responseCode: 421 })).toBe(false);
  expect(isPermanent(new Error('ECONNREFUSED'))).toBe(false);
});

test('subjects always start with the marking and stay on one line; recipients are single plain addresses', () => {
  expect(markedSubject('Minutes')).toBe('OFFICIAL-SENSITIVE: Minutes');
  expect(markedSubject('OFFICIAL-SENSITIVE: Minutes')).toBe('OFFICIAL-SENSITIVE: Minutes');
  expect(markedSubject('a\r\nBcc: x@y.org')).toBe('OFFICIAL-SENSITIVE: a Bcc: x@y.org');
  expect(isSingleAddress('rep@agency.example.org')).toBe(true);
  for (const bad of ['a@b.org,c@d.org', 'a@b.org\nBcc: c@d.org', 'A <a@b.org>', 'nobody', 'a@b'])
    expect(isSingleAddress(bad)).toBe(false);
});
