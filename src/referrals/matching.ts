/**
 * Keys for recognising the same person or place across referrals, whatever the spelling habits of
 * the agency that typed them: case, accents, punctuation, spacing and name order do not matter.
 */

/** "Mary-Jane O'Brien" and "O'BRIEN, Mary Jane" give the same key. */
export function nameKey(name: string | null | undefined): string | null {
  if (!name) return null;
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  return words.length ? words.sort().join(' ') : null;
}

/** The first line of an address (up to a comma or line break), letters and digits only. */
export function addressKey(address: string | null | undefined): string | null {
  if (!address) return null;
  const firstLine = address.split(/[,\n]/)[0] ?? '';
  const key = firstLine.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return key || null;
}

// The format of UK postcodes (BS 7666), including the special case GIR 0AA.
const POSTCODE =
  /^(GIR0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2})$/;

export function postcodeKey(postcode: string | null | undefined): string | null {
  if (!postcode) return null;
  const key = postcode.toUpperCase().replace(/\s+/g, '');
  return key || null;
}

export function isUkPostcode(postcode: string): boolean {
  if (/[^A-Za-z0-9 ]/.test(postcode)) return false;
  const key = postcodeKey(postcode);
  return key !== null && POSTCODE.test(key);
}

/** "ln11aa" → "LN1 1AA". */
export function formatPostcode(postcode: string): string {
  const key = postcodeKey(postcode) ?? '';
  return `${key.slice(0, -3)} ${key.slice(-3)}`;
}
