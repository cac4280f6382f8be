// `pulumi config set` that raises a level-0/1 stack to level 2 in a test: what the schema asks of it there
// (an allowlist, a person for the alarms, a recorded review). One home for the VM test and the native ones.
export function level2Overrides(tested: string): string[] {
  return [
    "trustLevel=2",
    'execAllowlist=["git","jq"]',
    "alarmEmail=security-oncall@example.com",
    `promotion={reviewer: "clawkeep tests", date: "2026-12-01", tested: ${JSON.stringify(tested)}}`,
  ];
}
