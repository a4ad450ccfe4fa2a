import type { Migration } from 'kysely';
import * as foundation from './20261123_0001_foundation';
import * as referrals from './20261123_0002_referrals';
import * as panels from './20261123_0003_panels';
import * as minutes from './20261123_0007_minutes';
import * as retention from './20261123_0008_retention';
import * as appClock from './20261129_0009_times_from_the_app_clock';
import * as informationGovernance from './20261130_0030_information_governance';
import * as youthChecks from './20261130_0060_youth_checks';
import * as caseStudies from './20261130_0061_case_studies';
import * as mergesAndQuestionsBySubject from './20261130_0070_merges_and_questions_by_subject';
import * as actionReview from './20261130_0010_action_review';
import * as minutesCorrections from './20261130_0011_minutes_corrections';
import * as otherBusinessActions from './20261130_0012_other_business_actions';
import * as signInPairs from './20261130_0040_sign_in_pairs';
import * as researchWithdrawn from './20261130_0041_research_withdrawn';
import * as openActionsByDueDate from './20261205_0090_open_actions_by_due_date';
import * as reportTallies from './20261206_0100_report_tallies';
import * as decisionsByKind from './20261206_0110_decisions_by_kind';
import * as actionsByAgendaItem from './20261206_0120_actions_by_agenda_item';
import * as searchWithoutPendingList from './20261207_0130_search_without_pending_list';
import * as listCountFromIndex from './20261207_0140_list_count_from_index';
import * as researchBySubject from './20261130_0080_research_by_subject';
import * as attendanceLinksAtSendTime from './20261130_0042_attendance_links_at_send_time';

/** Every migration, by its sortable name. A static list works the same under tsx, Jest and a build. */
export const migrations: Record<string, Migration> = {
  '20261123_0001_foundation': foundation,
  '20261123_0002_referrals': referrals,
  '20261123_0003_panels': panels,
  '20261123_0007_minutes': minutes,
  '20261123_0008_retention': retention,
  '20261129_0009_times_from_the_app_clock': appClock,
  '20261130_0010_action_review': actionReview,
  '20261130_0011_minutes_corrections': minutesCorrections,
  '20261130_0012_other_business_actions': otherBusinessActions,
  '20261130_0030_information_governance': informationGovernance,
  '20261130_0040_sign_in_pairs': signInPairs,
  '20261130_0041_research_withdrawn': researchWithdrawn,
  '20261130_0042_attendance_links_at_send_time': attendanceLinksAtSendTime,
  '20261130_0060_youth_checks': youthChecks,
  '20261130_0061_case_studies': caseStudies,
  '20261130_0070_merges_and_questions_by_subject': mergesAndQuestionsBySubject,
  '20261130_0080_research_by_subject': researchBySubject,
  '20261205_0090_open_actions_by_due_date': openActionsByDueDate,
  '20261206_0100_report_tallies': reportTallies,
  '20261206_0110_decisions_by_kind': decisionsByKind,
  '20261206_0120_actions_by_agenda_item': actionsByAgendaItem,
  '20261207_0130_search_without_pending_list': searchWithoutPendingList,
  '20261207_0140_list_count_from_index': listCountFromIndex,
};
