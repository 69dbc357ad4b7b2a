import { graphql } from "../../generated/gql";

// Every community's figures for one period: the district is their sum, a community one of them.
// A role that may not see a community's statistics gets null there and an error beside it.
export const CommunityStatistics = graphql(`
  query CommunityStatistics($since: DateTime!, $until: DateTime!) {
    communities {
      code
      name
      statistics(since: $since, until: $until) {
        reported
        closed
        overdue
        averageDaysToClose
        onTimeRate
        satisfactionRate
        rated
        byClass {
          code
          name
          count
        }
      }
    }
  }
`);

export const DepartmentStatistics = graphql(`
  query DepartmentStatistics($since: DateTime!, $until: DateTime!) {
    departments {
      code
      shortName
      statistics(since: $since, until: $until) {
        reported
        closed
        overdue
      }
    }
  }
`);
