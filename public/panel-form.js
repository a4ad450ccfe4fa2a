// Scheduling a panel: choosing the district ticks its core agencies at once, as the "Invite the
// district's core members" button does without JavaScript. Ticks the coordinator has changed by
// hand are left alone.

export function tickCoreAgencies(form) {
  const district = form.querySelector('select[name="districtId"]');
  if (!district) return;
  const coreByDistrict = JSON.parse(form.dataset.coreByDistrict || '{}');
  const boxes = () => Array.from(form.querySelectorAll('input[name="agencyIds"]'));
  const ticked = () =>
    boxes()
      .filter((b) => b.checked)
      .map((b) => b.value)
      .sort()
      .join(',');
  let lastApplied = ticked();
  district.addEventListener('change', () => {
    if (ticked() !== lastApplied) return;
    const core = new Set((coreByDistrict[district.value] || []).map(String));
    for (const box of boxes()) box.checked = core.has(box.value);
    lastApplied = ticked();
  });
}

document.querySelectorAll('form[data-core-by-district]').forEach((form) => tickCoreAgencies(form));
