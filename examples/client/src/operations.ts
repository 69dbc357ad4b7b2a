import { graphql } from "../../generated/gql";

// A fragment on the Case interface: without possibleTypes, Apollo Client's cache cannot tell
// that an UrbanCase is a Case and silently drops these fields.
export const CaseFields = graphql(`
  fragment CaseFields on Case {
    number
    status
    statusLabel
  }
`);

export const GridCases = graphql(`
  query GridCases($code: String!, $first: Int!, $after: String) {
    grid(code: $code) {
      id
      code
      name
      cases(first: $first, after: $after) {
        totalCount
        edges {
          cursor
          node {
            id
            ...CaseFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const CaseByNode = graphql(`
  query CaseByNode($id: ID!) {
    node(id: $id) {
      id
      ... on Case {
        ...CaseFields
      }
    }
  }
`);

export const ReportCase = graphql(`
  mutation ReportCase($input: ReportCaseInput!) {
    reportCase(input: $input) {
      case {
        id
        number
        status
      }
      errors {
        field
        message
      }
    }
  }
`);

// Live updates over plain HTTP: Apollo Client's HttpLink asks for a subscription as
// multipart parts (`Accept: multipart/mixed;subscriptionSpec=1.0`), no WebSocket link needed.
export const GridCaseChanges = graphql(`
  subscription GridCaseChanges($grid: String!) {
    casesInGrid(grid: $grid) {
      id
      number
      status
    }
  }
`);
