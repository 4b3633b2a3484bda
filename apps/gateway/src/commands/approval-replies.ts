import type { ApprovalRequest, ApprovalScope } from '@hermes/agent';

/** What `/approve`, `/deny` and their buttons say, so a press answers exactly like the command. */
export function approvedReply(scope: ApprovalScope, request: Pick<ApprovalRequest, 'command'>): string {
  return `✅ Command approved${scope === 'once' ? '' : ` (${scope})`}: \`${request.command}\``;
}

export const DENIED_REPLY = '❌ Command denied.';
