// Session Manager preferences for the cell's host, as a Session document that the Operator's policy
// forces (ssm:SessionDocumentAccessCheck): sessions end after 30 idle minutes, their transcripts
// stream to a KMS-encrypted log group, and they run as a non-root user without sudo.

/** The host user sessions run as; the host creates it with no sudo (the lead's user data adds it). */
export const SESSION_USER = "clawkeep-ops";
export const IDLE_TIMEOUT_MINUTES = 30;
/** Hard cap on a session, matching the guides' 8-hour session limit. */
export const MAX_SESSION_MINUTES = 480;

export function sessionDocumentName(stack: string, cellName: string): string {
  return `clawkeep-${stack}-${cellName}-session`;
}

/** The document content (schemaVersion 1.0, sessionType Standard_Stream). */
export function sessionPreferences(logGroupName: string) {
  return {
    schemaVersion: "1.0",
    description: "clawkeep: idle timeout, encrypted transcripts in CloudWatch Logs, non-root sessions",
    sessionType: "Standard_Stream",
    inputs: {
      // The agent refuses to stream into a group that is not KMS-encrypted.
      cloudWatchLogGroupName: logGroupName,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      idleSessionTimeout: String(IDLE_TIMEOUT_MINUTES),
      maxSessionDuration: String(MAX_SESSION_MINUTES),
      runAsEnabled: true,
      runAsDefaultUser: SESSION_USER,
    },
  };
}

export function portDocumentName(stack: string, cellName: string): string {
  return `clawkeep-${stack}-${cellName}-gateway-port`;
}

/**
 * A port-forwarding Session document pinned to the gateway's port, in place of AWS-StartPortForwardingSession
 * (which forwards to any port on the host). Only the local end is a parameter.
 */
export function portForwardDocument(gatewayPort: number) {
  return {
    schemaVersion: "1.0",
    description: `clawkeep: forward a local port to the gateway (127.0.0.1:${gatewayPort} on the host), nothing else`,
    sessionType: "Port",
    parameters: {
      localPortNumber: { type: "String", description: "port on your machine", allowedPattern: "^([1-9][0-9]{0,4})$", default: String(gatewayPort) },
    },
    properties: { portNumber: String(gatewayPort), type: "LocalPortForwarding", localPortNumber: "{{ localPortNumber }}" },
  };
}
