export * from "./alertTopic";
export * from "./failureAlarm";
