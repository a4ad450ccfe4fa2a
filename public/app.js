import { initAll } from '/assets/govuk-frontend.min.js';
import './autosave.js';
import './panel-form.js';
import './register-sections.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();

// A table wider than its column scrolls inside a region that keyboard users can focus and screen
// readers announce by the table's caption (GOV.UK's pattern for wide tables). Tables that fit are
// left alone, so there is no needless tab stop.
function labelOf(table, index) {
  const caption = table.querySelector('caption');
  if (caption && caption.textContent.trim()) {
    caption.id ||= `app-table-caption-${index}`;
    return { labelledBy: caption.id };
  }
  const heading = table.closest('section, div')?.querySelector('h1, h2, h3');
  return { label: heading ? heading.textContent.trim() : 'Table' };
}

function wrapWideTables() {
  document.querySelectorAll('main table').forEach((table, index) => {
    const parent = table.parentElement;
    if (!parent || parent.classList.contains('app-table-scroll')) return;
    if (table.scrollWidth <= parent.clientWidth + 1) return;
    const region = document.createElement('div');
    region.className = 'app-table-scroll';
    region.setAttribute('role', 'region');
    region.tabIndex = 0;
    const { labelledBy, label } = labelOf(table, index);
    if (labelledBy) region.setAttribute('aria-labelledby', labelledBy);
    else region.setAttribute('aria-label', label);
    parent.insertBefore(region, table);
    region.appendChild(table);
  });
}

wrapWideTables();
window.addEventListener('resize', wrapWideTables);
