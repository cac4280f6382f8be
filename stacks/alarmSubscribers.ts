// Who the cell's alarms reach: `alarmEmail` and the bounded `alarmSubscriptions` list, as SNS
// subscriptions of the alarm topic. Levels 2 and 3 need at least one; the rest only warn (the plan says so).
import { z } from "zod";

/** The SNS protocols a person can be reached through, directly or by a paging service or chat bridge. */
export const ALARM_PROTOCOLS = ["email", "https", "sqs", "lambda"] as const;
export type AlarmProtocol = (typeof ALARM_PROTOCOLS)[number];

/** At most this many extra subscriptions: alarms are for people, not a fan-out bus. */
export const MAX_ALARM_SUBSCRIPTIONS = 5;

export interface AlarmSubscriber {
  protocol: AlarmProtocol;
  endpoint: string;
}

export const alarmSubscriptionSchema = z.strictObject({
  protocol: z.enum(ALARM_PROTOCOLS),
  endpoint: z.string().min(3).max(2048),
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ENDPOINT_SHAPES: Record<AlarmProtocol, { test: (e: string) => boolean; allowed: string }> = {
  email: { test: (e) => EMAIL.test(e), allowed: "an e-mail address" },
  https: { test: (e) => /^https:\/\/[^\s/]+(\/\S*)?$/.test(e), allowed: "an https:// URL (a paging service or chat webhook that confirms SNS subscriptions)" },
  sqs: { test: (e) => /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(e), allowed: "an SQS queue ARN" },
  lambda: { test: (e) => /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/.test(e), allowed: "a Lambda function ARN" },
};

/** What is wrong with one subscription's endpoint for its protocol, or undefined. */
export function endpointProblem(s: AlarmSubscriber): string | undefined {
  const shape = ENDPOINT_SHAPES[s.protocol];
  return shape.test(s.endpoint) ? undefined : `${shape.allowed} for protocol ${s.protocol}`;
}

// RFC 2606 / 6761 names: they never receive mail or requests, so an alarm sent there reaches no one.
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

/** The host an e-mail or https endpoint delivers to (undefined for ARNs). */
function deliveryHost(s: AlarmSubscriber): string | undefined {
  if (s.protocol === "email") return s.endpoint.split("@").pop();
  if (s.protocol === "https") return /^https:\/\/([^/:?#]+)/.exec(s.endpoint)?.[1];
  return undefined;
}

/**
 * A subscriber at a reserved example domain: the kit's example stacks carry one so their offline plan
 * shows a complete level 2/3 cell; the plan warns about it and a real `pulumi up` refuses it.
 */
export function isPlaceholder(s: AlarmSubscriber): boolean {
  const host = deliveryHost(s);
  return host !== undefined && RESERVED_DOMAIN.test(host);
}

/** Every subscriber of the alarm topic: the e-mail first, then the list. */
export function alarmSubscribers(alarmEmail: string | undefined, subscriptions: readonly AlarmSubscriber[]): AlarmSubscriber[] {
  return [...(alarmEmail ? [{ protocol: "email" as const, endpoint: alarmEmail }] : []), ...subscriptions];
}
