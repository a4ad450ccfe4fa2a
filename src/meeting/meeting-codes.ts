export const RISK_LEVELS = ['high', 'medium', 'low'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const RISK_LEVEL_NAMES: Record<RiskLevel, string> = { high: 'High', medium: 'Medium', low: 'Low' };

export const DECISIONS = ['review', 'close', 'escalate', 'deferred'] as const;
export type DecisionCode = (typeof DECISIONS)[number];
export const DECISION_NAMES: Record<DecisionCode, string> = {
  review: 'Keep open and review at the next panel',
  close: 'Close the case',
  escalate: 'Escalate to another process',
  deferred: 'Defer to a later panel',
};

export const CLOSE_REASONS = ['risk-reduced', 'moved-away', 'other-process', 'other'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
export const CLOSE_REASON_NAMES: Record<CloseReason, string> = {
  'risk-reduced': 'Risk reduced',
  'moved-away': 'Moved away',
  'other-process': 'Managed by another process',
  other: 'Other',
};

export const ESCALATIONS = ['marac', 'mappa', 'adult-safeguarding', 'child-safeguarding', 'other'] as const;
export type Escalation = (typeof ESCALATIONS)[number];
export const ESCALATION_NAMES: Record<Escalation, string> = {
  marac: 'MARAC',
  mappa: 'MAPPA',
  'adult-safeguarding': 'Adult safeguarding',
  'child-safeguarding': 'Child safeguarding',
  other: 'Other',
};

export const ITEM_KIND_NAMES: Record<string, string> = {
  review: 'Review',
  new: 'New case',
  anniversary: 'Anniversary review',
  'other-business': 'Other business',
};
