// On-demand list prices, us-east-1, Linux, USD. Recorded from the AWS public pricing pages
// (aws.amazon.com/ec2/pricing/on-demand, /vpc/pricing, /kms/pricing, /secrets-manager/pricing,
// /cloudwatch/pricing). This machine has no route to them, so re-check before budgeting.
export const PRICES_READ_ON = "2025-06-01";
export const HOURS_PER_MONTH = 730;

export const INSTANCE_HOURLY: Record<string, number> = {
  "t3.micro": 0.0104,
  "t3.small": 0.0208,
  "t3.medium": 0.0416,
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "t3.2xlarge": 0.3328,
  "t3a.medium": 0.0376,
  "t3a.large": 0.0752,
  "t3a.xlarge": 0.1504,
  "c6i.large": 0.085,
  "c6i.xlarge": 0.17,
  "c6i.2xlarge": 0.34,
  "c7i.large": 0.08925,
  "c7i.xlarge": 0.1785,
  "m6i.large": 0.096,
  "m6i.xlarge": 0.192,
  "m7i.large": 0.1008,
  "m7i.xlarge": 0.2016,
  "r6i.large": 0.126,
};

export const UNIT_PRICES = {
  gp3PerGbMonth: 0.08,
  publicIpv4PerHour: 0.005,
  natGatewayPerHour: 0.045,
  interfaceEndpointPerAzHour: 0.01,
  kmsKeyPerMonth: 1.0,
  secretPerMonth: 0.4,
  standardAlarmPerMonth: 0.1,
  dashboardPerMonth: 3.0,
  logsIngestPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
};

/** Usage the estimate assumes where the bill depends on traffic (shown beside each line). */
export const USAGE_ASSUMPTIONS = {
  logIngestGbPerGroupMonth: 1,
};
