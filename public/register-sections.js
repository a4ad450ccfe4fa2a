// The register: each agency's rows can be hidden and shown again, to move around a long register.
// Without JavaScript every row is shown, as before.

export function agencySections(container) {
  const rows = Array.from(document.querySelectorAll('#register tbody tr[data-agency]'));
  const agencies = [...new Set(rows.map((row) => row.dataset.agency))];
  const group = container.querySelector('.govuk-button-group');
  for (const agency of agencies) {
    const own = rows.filter((row) => row.dataset.agency === agency);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'govuk-button govuk-button--secondary app-small-button';
    button.setAttribute('aria-expanded', 'true');
    button.setAttribute('aria-controls', own.map((row) => row.id).join(' '));
    const label = () => `${button.getAttribute('aria-expanded') === 'true' ? 'Hide' : 'Show'} ${agency}`;
    button.textContent = label();
    button.addEventListener('click', () => {
      const open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(open));
      for (const row of own) row.hidden = !open;
      button.textContent = label();
    });
    group.appendChild(button);
  }
  container.hidden = false;
}

const container = document.getElementById('register-sections');
if (container) agencySections(container);
