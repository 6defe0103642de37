// Every GraphQL document of the console. Their result and variable types are generated
// (src/gql, `npm run console:codegen`) from schema/supergraph.graphql; none is written by hand.
import { graphql } from "./gql";

export const UserByPrincipalName = graphql(`
  query UserByPrincipalName($name: String!) {
    userByPrincipalName(userPrincipalName: $name) {
      id
      userPrincipalName
      displayName
    }
  }
`);

export const PersonalDataQuery = graphql(`
  query PersonalData($user: ID!) {
    personalData(user: $user) {
      userId
      tenantId
      account {
        id
        userPrincipalName
        displayName
        email
        managementState
        removedAt
        createdAt
      }
      devices(first: 5) {
        totalCount
        edges {
          node {
            id
            deviceName
            operatingSystem
            enrolledAt
          }
        }
      }
      telemetry(first: 5) {
        totalCount
        edges {
          node {
            id
            kind
            occurredAt
          }
        }
      }
      auditLog(first: 5) {
        totalCount
        edges {
          node {
            id
            action
            actor
            outcome
            occurredAt
          }
        }
      }
      residency {
        region
        locations {
          category
          kind
          region
        }
      }
      retention {
        category
        policy
        purgeAfter
        scheduledPurgeAt
        legalHold {
          id
          reason
          placedBy
          placedAt
          active
        }
      }
      processing {
        isoCertifiedSystems
        usedForProfiling
        usedForMarketing
      }
    }
  }
`);

export const RequestExport = graphql(`
  mutation RequestExport($user: ID!, $reason: String) {
    requestPersonalDataExport(user: $user, reason: $reason) {
      id
      status
      kind
    }
  }
`);

export const RestrictProcessing = graphql(`
  mutation RestrictProcessing($user: ID!, $reason: String) {
    restrictProcessing(user: $user, reason: $reason) {
      id
      status
      kind
    }
  }
`);

export const PlaceHold = graphql(`
  mutation PlaceHold($user: ID!, $reason: String!) {
    placeLegalHold(user: $user, reason: $reason) {
      id
      active
    }
  }
`);

export const LiftHold = graphql(`
  mutation LiftHold($user: ID!, $reason: String) {
    liftLegalHold(user: $user, reason: $reason) {
      id
      active
    }
  }
`);

export const PrivacyRequests = graphql(`
  query PrivacyRequests($tenantId: ID!, $status: PrivacyRequestStatus, $kind: PrivacyRequestKind, $overdue: Boolean, $first: Int!) {
    privacyRequests(tenantId: $tenantId, status: $status, kind: $kind, overdue: $overdue, first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          userId
          kind
          status
          requestedBy
          createdAt
          dueAt
          overdue
        }
      }
    }
  }
`);

export const PrivacyRequestDetail = graphql(`
  query PrivacyRequestDetail($id: ID!) {
    privacyRequest(id: $id) {
      id
      userId
      tenantId
      kind
      status
      reason
      requestedBy
      createdAt
      completedAt
      dueAt
      overdue
      approvedBy
      approvedAt
      decisionReason
      error
      lastError
      attempts
      nextAttemptAt
      archiveExpiresAt
      archivePurged
      progress {
        category
        exported
        exportComplete
        erased
      }
      steps {
        receivedAt
        exportStartedAt
        exportVerifiedAt
        erasureStartedAt
        completedAt
        failedAt
      }
      export {
        region
        location
        sha256
        byteSize
        counts {
          category
          records
        }
      }
      receipt {
        manifestSha256
        requestedBy
        requestedAt
        completedAt
        expiresAt
        exported {
          category
          records
        }
      }
      deadlineExtensions {
        days
        reason
        extendedBy
        extendedAt
      }
      history(first: 100) {
        totalCount
        edges {
          node {
            at
            actor
            action
            status
          }
        }
      }
    }
  }
`);

export const ApproveRequest = graphql(`
  mutation ApproveRequest($id: ID!) {
    approvePrivacyRequest(id: $id) {
      id
      status
    }
  }
`);

export const DenyRequest = graphql(`
  mutation DenyRequest($id: ID!, $reason: String!) {
    denyPrivacyRequest(id: $id, reason: $reason) {
      id
      status
    }
  }
`);

export const CancelRequest = graphql(`
  mutation CancelRequest($id: ID!, $reason: String!) {
    cancelPrivacyRequest(id: $id, reason: $reason) {
      id
      status
    }
  }
`);

export const ExtendRequest = graphql(`
  mutation ExtendRequest($id: ID!, $days: Int!, $reason: String!) {
    extendPrivacyRequestDeadline(id: $id, days: $days, reason: $reason) {
      id
      dueAt
    }
  }
`);

export const RetryRequest = graphql(`
  mutation RetryRequest($id: ID!) {
    retryPrivacyRequest(id: $id) {
      id
      status
    }
  }
`);

export const CreateDownload = graphql(`
  mutation CreateDownload($id: ID!) {
    createPrivacyExportDownload(id: $id) {
      url
      files
      expiresAt
    }
  }
`);

export const TenantAuditLog = graphql(`
  query TenantAuditLog($outcome: AuditOutcome, $first: Int!) {
    tenantAuditLog(first: $first, outcome: $outcome) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          occurredAt
          actor
          actorRole
          action
          outcome
          subjectUserId
          details
        }
      }
    }
  }
`);

export const RetentionRuns = graphql(`
  query RetentionRuns {
    retentionRuns(first: 20) {
      totalCount
      edges {
        node {
          id
          startedAt
          finishedAt
          trigger
          triggeredBy
          heldUsers
          pseudonymised
          purges {
            category
            purged
          }
          errors {
            message
          }
        }
      }
    }
  }
`);

export const RunRetention = graphql(`
  mutation RunRetention {
    runRetention {
      startedAt
      finishedAt
    }
  }
`);

export const ResidencyMoveQuery = graphql(`
  query ResidencyMove($tenantId: ID!) {
    tenant(id: $tenantId) {
      id
      name
      storageRegion
    }
    residencyMove(tenantId: $tenantId) {
      id
      fromRegion
      toRegion
      phase
      startedAt
      updatedAt
      completedAt
      error
      progress {
        store
        stage
        copied
        verified
        total
      }
    }
  }
`);

export const Webhooks = graphql(`
  query Webhooks($tenantId: ID!) {
    webhooks(tenantId: $tenantId) {
      id
      url
      events
      createdAt
      deliveries(first: 20) {
        totalCount
        edges {
          node {
            id
            event
            requestId
            status
            attempts
            lastResponseStatus
            lastError
            createdAt
            deliveredAt
          }
        }
      }
    }
  }
`);
