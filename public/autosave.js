// Meeting mode: the item's record is saved as the chair types, under the same version check as the
// Save button, and leaving the page with changes not yet saved asks first. Without JavaScript the
// page works as before: nothing is saved until a button is pressed.

const INTERVAL_MS = 20000;

function statusLine(form) {
  const line = document.createElement('p');
  line.className = 'govuk-body-s app-autosave-status';
  line.setAttribute('role', 'status');
  line.setAttribute('aria-live', 'polite');
  form.prepend(line);
  return line;
}

export function startAutosave(form) {
  const version = form.querySelector('input[name="version"]');
  const url = `${form.getAttribute('action')}/autosave`;
  const status = statusLine(form);
  let dirty = false;
  let saving = false;
  let stopped = false;
  let submitting = false;
  // A button pressed while a save is on its way waits for it, so the form carries the new version.
  let waiting = null;

  form.addEventListener('input', () => {
    dirty = true;
  });
  form.addEventListener('change', () => {
    dirty = true;
  });
  form.addEventListener('submit', (event) => {
    if (saving) {
      event.preventDefault();
      waiting = { submitter: event.submitter ?? undefined };
      return;
    }
    submitting = true;
  });
  // An action typed but not yet added is not saved automatically: it needs its button.
  const actionTyped = () => Boolean(form.querySelector('[name="description"]')?.value.trim());
  window.addEventListener('beforeunload', (event) => {
    if ((dirty || actionTyped()) && !submitting) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  async function save() {
    if (!dirty || saving || stopped || submitting) return;
    saving = true;
    dirty = false;
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      const result = await response.json();
      if (response.ok && result.saved) {
        version.value = String(result.version);
        status.textContent = `Saved automatically at ${result.at}.`;
      } else if (response.status === 409) {
        stopped = true;
        dirty = true;
        status.textContent =
          'Someone else has saved this item. Your changes are not saved: press Save to see both versions.';
      } else {
        dirty = true;
        status.textContent = 'Not saved automatically: press Save to see what needs attention.';
      }
    } catch {
      dirty = true;
      status.textContent = 'Not saved automatically: the connection was lost. Your text is still here.';
    } finally {
      saving = false;
      if (waiting) {
        const { submitter } = waiting;
        waiting = null;
        form.requestSubmit(submitter);
      }
    }
  }

  setInterval(save, INTERVAL_MS);
  form.addEventListener('focusout', (event) => {
    if (event.target instanceof HTMLTextAreaElement) void save();
  });
}

document.querySelectorAll('form[data-autosave]').forEach((form) => startAutosave(form));
