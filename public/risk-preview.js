// Shows each kind of subject's risk score as the referrer answers. Only a preview: the server scores
// the referral when it is saved and submitted, and the form works the same without this script.
for (const section of document.querySelectorAll('[data-risk-preview]')) {
  const output = section.querySelector('[data-risk-output]');
  if (!output) continue;
  const threshold = Number(section.getAttribute('data-threshold'));
  const radios = Array.from(section.querySelectorAll('input[type="radio"][data-weight]'));
  const questions = new Set(radios.map((radio) => radio.name));

  const update = () => {
    const checked = radios.filter((radio) => radio.checked);
    const score = checked.reduce((sum, radio) => sum + Number(radio.getAttribute('data-weight')), 0);
    const unanswered = questions.size - checked.length;
    const parts = [`Score so far: ${score} (threshold ${threshold}).`];
    if (unanswered > 0) parts.push(`${unanswered} ${unanswered === 1 ? 'question' : 'questions'} not answered yet.`);
    if (score >= threshold) parts.push('The score meets the high-risk threshold.');
    output.textContent = parts.join(' ');
  };

  section.addEventListener('change', update);
}
