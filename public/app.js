import { initAll } from '/assets/govuk-frontend.min.js';
import './autosave.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();
