import { z } from 'zod';
import type { FormState } from '../http/forms';

/** A whole number of years or days, with the GOV.UK pattern's messages. */
export const whole = (label: string, unit: string, max: number, example: string) =>
  z
    .string({ error: `Enter ${label} in whole ${unit}` })
    .trim()
    .min(1, `Enter ${label} in whole ${unit}`)
    .regex(/^\d{1,4}$/, `Enter ${label} as a whole number of ${unit}, like ${example}`)
    .transform(Number)
    .refine(
      (n) => n >= 1 && n <= max,
      `${label.charAt(0).toUpperCase()}${label.slice(1)} must be between 1 and ${max} ${unit}`,
    );

export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The retention page's three forms, any of which may come back with messages. */
export interface Forms {
  settings?: FormState;
  audit?: FormState;
  approval?: FormState;
}
