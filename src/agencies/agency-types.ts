export const AGENCY_TYPES = {
  police: 'Police',
  council: 'District council',
  housing: 'Housing provider',
  'mental-health': 'Mental health trust',
  'adult-social-care': 'Adult social care',
  'childrens-services': "Children's services",
  'youth-offending': 'Youth offending',
  probation: 'Probation',
  'substance-misuse': 'Drug and alcohol service',
  'victim-support': 'Victim support',
  'fire-rescue': 'Fire and rescue',
  other: 'Other',
} as const;

export type AgencyType = keyof typeof AGENCY_TYPES;
export const AGENCY_TYPE_VALUES = Object.keys(AGENCY_TYPES) as AgencyType[];
