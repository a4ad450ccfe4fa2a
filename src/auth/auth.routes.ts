import { z } from 'zod';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { RefusedError } from '../http/errors';
import { formState, parseForm, type FormState } from '../http/forms';
import { get, post, type RouteDef } from '../http/routes';
import { csrfToken } from '../http/security';
import { newPasswordRule, PASSWORD_MAX } from './passwords';
import { destroySession, regenerateSession, saveSession } from './session-calls';
import { RETURN_TO } from './current-user';

const signInSchema = z.object({
  email: z
    .string({ error: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(254, 'Enter a shorter email address'),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(PASSWORD_MAX, 'Enter a shorter password'),
});

const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password' }).min(1, 'Enter your current password'),
    newPassword: newPasswordRule,
    confirmPassword: z.string({ error: 'Confirm your new password' }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  });

/** Only local paths: never an open redirect. */
function safeReturnTo(value: string | undefined): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

export function authRoutes(services: Services): RouteDef[] {
  const { auth } = services;
  const signInPage = (form = formState(), message?: string) => ({ title: 'Sign in', form, message });

  return [
    get('/login', 'public', (req, res) => {
      if (req.user) return res.redirect(303, '/');
      const notice = req.query['signed-out'] === '1' ? 'You have signed out.' : undefined;
      res.render('auth/login', { ...signInPage(), notice });
    }),

    post('/login', 'public', async (req, res) => {
      const parsed = parseForm(signInSchema, req.body);
      if (!parsed.ok) {
        parsed.form.values.password = undefined;
        return res.status(400).render('auth/login', signInPage(parsed.form));
      }
      const result = await auth.signIn(parsed.data.email, parsed.data.password, actorOf(req));
      if (result.outcome !== 'signed-in') {
        const message =
          result.outcome === 'throttled'
            ? `There have been too many attempts to sign in. Wait ${result.waitMinutes} ${result.waitMinutes === 1 ? 'minute' : 'minutes'} and try again.`
            : 'The email address or password is not correct';
        const form = formState({ email: parsed.data.email }, { email: message });
        return res.status(result.outcome === 'throttled' ? 429 : 401).render('auth/login', signInPage(form));
      }
      const asked = req.preSession.get(RETURN_TO);
      if (asked !== undefined) req.preSession.clear(RETURN_TO);
      const returnTo = safeReturnTo(asked);
      await regenerateSession(req);
      req.session.userId = result.userId;
      req.session.signedInAt = services.clock.now().getTime();
      csrfToken(req);
      await saveSession(req);
      res.redirect(303, returnTo);
    }),

    post('/logout', 'public', async (req, res) => {
      if (req.user) await auth.signOut(actorOf(req));
      await destroySession(req);
      res.clearCookie(services.sessionCookieName, { path: '/' });
      res.redirect(303, '/login?signed-out=1');
    }),

    get('/account/password', 'signed-in', (_req, res) => {
      res.render('auth/change-password', { title: 'Change your password', form: formState(), backLink: '/' });
    }),

    post('/account/password', 'signed-in', async (req, res) => {
      const user = currentUser(req);
      const parsed = parseForm(changePasswordSchema, req.body);
      // Passwords are never shown again, so nothing typed is kept.
      const render = (form: FormState) => {
        form.values = {};
        return res.status(400).render('auth/change-password', { title: 'Change your password', form, backLink: '/' });
      };
      if (!parsed.ok) return render(parsed.form);
      try {
        await auth.changePassword(
          user.id,
          parsed.data.currentPassword,
          parsed.data.newPassword,
          actorOf(req),
          req.sessionID,
        );
      } catch (err) {
        if (err instanceof RefusedError) return render(formState({}, err.fieldErrors));
        throw err;
      }
      flash(req, 'Your password has been changed');
      res.redirect(303, '/');
    }),
  ];
}
