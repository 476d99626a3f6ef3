/**
 * Changes to cloud resources (tags, shutdown schedules, their undo) are never made from an untrusted workspace: its
 * settings and files could point them anywhere. The refusal names the fix.
 */
export function untrustedRefusal(trusted: boolean, action: string): string | undefined {
  return trusted ? undefined : `ML FinOps does not change cloud resources in an untrusted workspace. Trust the workspace (Manage Workspace Trust), then ${action}.`;
}
