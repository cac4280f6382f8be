// Monthly cost estimate of a planned stack, each part shown, from the price table in prices.ts.
import type { PlannedResource } from "./evaluate";
import { HOURS_PER_MONTH, INSTANCE_HOURLY, PRICES_READ_ON, UNIT_PRICES, USAGE_ASSUMPTIONS } from "./prices";

export interface CostLine {
  item: string;
  resource: string;
  monthlyUsd: number | null;
  basis: string;
}

export interface CostEstimate {
  lines: CostLine[];
  totalUsd: number;
  unpriced: string[];
  pricesReadOn: string;
  region: string;
}

const perHour = (usd: number) => usd * HOURS_PER_MONTH;

function linesFor(r: PlannedResource): CostLine[] {
  const p = r.inputs;
  const who = `${r.type.split(":").pop()} ${r.name}`;
  switch (r.type) {
    case "aws:ec2/instance:Instance": {
      const type = String(p.instanceType);
      const hourly = INSTANCE_HOURLY[type];
      const root = p.rootBlockDevice as { volumeSize?: number } | undefined;
      const gb = root?.volumeSize ?? 8;
      const out: CostLine[] = [
        { item: `EC2 ${type}`, resource: who, monthlyUsd: hourly === undefined ? null : perHour(hourly), basis: hourly === undefined ? "no price in the table" : `$${hourly}/h x ${HOURS_PER_MONTH} h` },
        { item: `EBS gp3 ${gb} GB`, resource: who, monthlyUsd: gb * UNIT_PRICES.gp3PerGbMonth, basis: `$${UNIT_PRICES.gp3PerGbMonth}/GB-month` },
      ];
      // A public IPv4 the instance asks for, or inherits from its subnet (the default VPC's do map one).
      if ((p.associatePublicIpAddress ?? r.state.associatePublicIpAddress) === true) {
        out.push({ item: "public IPv4 address", resource: who, monthlyUsd: perHour(UNIT_PRICES.publicIpv4PerHour), basis: `$${UNIT_PRICES.publicIpv4PerHour}/h` });
      }
      return out;
    }
    case "aws:ec2/natGateway:NatGateway":
      return [{ item: "NAT gateway (hours; data $0.045/GB extra)", resource: who, monthlyUsd: perHour(UNIT_PRICES.natGatewayPerHour), basis: `$${UNIT_PRICES.natGatewayPerHour}/h` }];
    case "aws:ec2/eip:Eip":
      return [{ item: "public IPv4 address (NAT)", resource: who, monthlyUsd: perHour(UNIT_PRICES.publicIpv4PerHour), basis: `$${UNIT_PRICES.publicIpv4PerHour}/h` }];
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      if (p.vpcEndpointType !== "Interface") return [];
      const azs = Array.isArray(p.subnetIds) ? p.subnetIds.length : 1;
      return [{ item: `interface endpoint x ${azs} AZ`, resource: who, monthlyUsd: perHour(UNIT_PRICES.interfaceEndpointPerAzHour) * azs, basis: `$${UNIT_PRICES.interfaceEndpointPerAzHour}/h per AZ` }];
    }
    case "aws:kms/key:Key":
      return [{ item: "KMS customer key", resource: who, monthlyUsd: UNIT_PRICES.kmsKeyPerMonth, basis: `$${UNIT_PRICES.kmsKeyPerMonth}/key-month` }];
    case "aws:secretsmanager/secret:Secret":
      return [{ item: "Secrets Manager secret", resource: who, monthlyUsd: UNIT_PRICES.secretPerMonth, basis: `$${UNIT_PRICES.secretPerMonth}/secret-month` }];
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return [{ item: "CloudWatch alarm", resource: who, monthlyUsd: UNIT_PRICES.standardAlarmPerMonth, basis: `$${UNIT_PRICES.standardAlarmPerMonth}/alarm-month` }];
    case "aws:cloudwatch/dashboard:Dashboard":
      return [{ item: "CloudWatch dashboard", resource: who, monthlyUsd: UNIT_PRICES.dashboardPerMonth, basis: `$${UNIT_PRICES.dashboardPerMonth}/dashboard-month` }];
    case "aws:cloudwatch/logGroup:LogGroup": {
      const gb = USAGE_ASSUMPTIONS.logIngestGbPerGroupMonth;
      return [{ item: `log group (assumes ${gb} GB/month)`, resource: who, monthlyUsd: gb * (UNIT_PRICES.logsIngestPerGb + UNIT_PRICES.logsStoragePerGbMonth), basis: `$${UNIT_PRICES.logsIngestPerGb}/GB in + $${UNIT_PRICES.logsStoragePerGbMonth}/GB-month` }];
    }
    default:
      return [];
  }
}

export function estimateCost(resources: PlannedResource[], region: string): CostEstimate {
  const lines = resources.filter((r) => r.custom).flatMap(linesFor);
  const totalUsd = lines.reduce((s, l) => s + (l.monthlyUsd ?? 0), 0);
  const unpriced = lines.filter((l) => l.monthlyUsd === null).map((l) => `${l.item} (${l.resource})`);
  return { lines, totalUsd: Math.round(totalUsd * 100) / 100, unpriced, pricesReadOn: PRICES_READ_ON, region };
}
