import type { Request, Response } from 'express';
import type { Services } from '../services';
import { actorOf, currentUser, flash } from '../http/context';
import { idParam, StaleVersionError } from '../http/errors';
import { flattenValues, formState, parseAction } from '../http/forms';
import { ADMIN, get, post, type RouteDef } from '../http/routes';
import {
  blankQuestion,
  MAX_OPTIONS,
  MAX_QUESTIONS,
  rawFromMatrix,
  readRawMatrix,
  validateMatrix,
  type MatrixInput,
  type RawMatrix,
} from './matrix-form';
import { ASSESSED_KINDS, maxScore, thresholdOf } from './scoring';

type Matrices = Services['riskMatrix'];

const KIND_WORDS = { victim: 'the victim', perpetrator: 'the perpetrator', location: 'the location' } as const;
const KIND_ITEMS = ASSESSED_KINDS.map((value) => ({ value, text: `About ${KIND_WORDS[value]}` }));

function renderEditor(
  res: Response,
  raw: RawMatrix,
  opts: { errors?: Record<string, string>; status?: number; conflict?: boolean } = {},
) {
  res.status(opts.status ?? 200).render('admin/risk-matrix-edit', {
    title: 'Change the risk matrix',
    backLink: '/admin/risk-matrix',
    form: formState(flattenValues(raw), opts.errors ?? {}),
    basedOn: raw.basedOn,
    conflict: opts.conflict,
    questions: raw.questions.map((q, i) => ({
      index: i,
      number: i + 1,
      code: q.code,
      names: {
        subjectKind: `questions[${i}][subjectKind]`,
        text: `questions[${i}][text]`,
        hint: `questions[${i}][hint]`,
        options: `questions[${i}][options]`,
      },
      options: q.options.map((o, j) => ({
        number: j + 1,
        key: o.key,
        names: {
          key: `questions[${i}][options][${j}][key]`,
          label: `questions[${i}][options][${j}][label]`,
          weight: `questions[${i}][options][${j}][weight]`,
        },
      })),
      canAddOption: q.options.length < MAX_OPTIONS,
      canRemove: raw.questions.length > 1,
    })),
    canAddQuestion: raw.questions.length < MAX_QUESTIONS,
    kindItems: KIND_ITEMS,
  });
}

async function showVersion(matrices: Matrices, res: Response, id: number | null) {
  const matrix = id === null ? await matrices.current() : await matrices.get(id);
  const versions = await matrices.versions();
  const current = versions[0];
  res.render('admin/risk-matrix', {
    title: id === null ? 'Risk matrix' : `Risk matrix version ${matrix.number}`,
    backLink: id === null ? undefined : '/admin/risk-matrix',
    matrix,
    isCurrent: matrix.id === current.id,
    // Each kind of subject has its own questions and its own threshold.
    kinds: ASSESSED_KINDS.map((kind) => {
      const questions = matrix.questions.filter((q) => q.subjectKind === kind);
      return {
        kind,
        heading: `Questions about ${KIND_WORDS[kind]}`,
        threshold: thresholdOf(matrix, kind),
        highest: maxScore({ questions }),
        questions,
      };
    }),
    versions: versions.map((v) => ({ ...v, referralCount: Number(v.referralCount ?? 0), isShown: v.id === matrix.id })),
  });
}

/** Adds or removes a question or an answer; null when the button was not one of those. */
function applyRowAction(raw: RawMatrix, action: { name: string; index: number | null }): RawMatrix | null {
  const i = action.index ?? -1;
  switch (action.name) {
    case 'add-question':
      return raw.questions.length < MAX_QUESTIONS ? { ...raw, questions: [...raw.questions, blankQuestion()] } : raw;
    case 'remove-question':
      return { ...raw, questions: raw.questions.filter((_, n) => n !== i) };
    case 'add-option': {
      const question = raw.questions.at(i);
      if (i < 0 || !question || question.options.length >= MAX_OPTIONS) return raw;
      const questions = raw.questions.map((q, n) =>
        n === i ? { ...q, options: [...q.options, { key: '', label: '', weight: '' }] } : q,
      );
      return { ...raw, questions };
    }
    default:
      return null;
  }
}

async function saveVersion(matrices: Matrices, req: Request, res: Response, raw: RawMatrix, input: MatrixInput) {
  let saved: { number: number };
  try {
    saved = await matrices.createVersion(input, currentUser(req).id, actorOf(req));
  } catch (err) {
    if (!(err instanceof StaleVersionError)) throw err;
    const latest = await matrices.current();
    return renderEditor(
      res,
      { ...raw, basedOn: String(latest.number) },
      {
        status: 409,
        conflict: true,
        errors: {
          changeNote: `Someone else saved version ${latest.number} of the matrix while you were editing. Check it, then save your changes again if they are still right.`,
        },
      },
    );
  }
  flash(
    req,
    `Version ${saved.number} of the risk matrix saved`,
    'success',
    'New referrals are scored with it. Referrals already submitted keep the version they were scored with.',
  );
  res.redirect(303, '/admin/risk-matrix');
}

function editorPost(matrices: Matrices) {
  return async (req: Request, res: Response) => {
    const raw = readRawMatrix(req.body);
    const changed = applyRowAction(raw, parseAction((req.body as Record<string, unknown>).action));
    if (changed) return renderEditor(res, changed);
    const { input, errors } = validateMatrix(raw);
    if (!input) return renderEditor(res, raw, { errors, status: 400 });
    await saveVersion(matrices, req, res, raw, input);
  };
}

export function riskMatrixRoutes(services: Services): RouteDef[] {
  const matrices = services.riskMatrix;
  return [
    get('/admin/risk-matrix', ADMIN, (_req, res) => showVersion(matrices, res, null)),
    get('/admin/risk-matrix/versions/:id', ADMIN, (req, res) => showVersion(matrices, res, idParam(req.params.id))),
    get('/admin/risk-matrix/edit', ADMIN, async (_req, res) =>
      renderEditor(res, rawFromMatrix(await matrices.current())),
    ),
    post('/admin/risk-matrix/edit', ADMIN, editorPost(matrices)),
  ];
}
