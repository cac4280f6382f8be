// systemd sandbox directives the kit's small helper units share (token staging, token pickup, the
// network bridges). One list, so a hardening added for one helper reaches them all.

/** Kernel, clock, hostname, /proc and keyring protections: none of the helpers needs any of these. */
export const KERNEL_PROTECTIONS = [
  "ProtectHostname=yes",
  "ProtectClock=yes",
  "ProtectKernelTunables=yes",
  "ProtectKernelModules=yes",
  "ProtectKernelLogs=yes",
  "ProtectControlGroups=yes",
  "ProtectProc=invisible",
  "ProcSubset=pid",
  "KeyringMode=private",
  "LockPersonality=yes",
] as const;

/** Syscall and socket restrictions of the root helpers that call AWS APIs over the network. */
export const ROOT_HELPER_RESTRICTIONS = [
  "RestrictRealtime=yes",
  "RestrictSUIDSGID=yes",
  "RestrictNamespaces=yes",
  "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
  "SystemCallArchitectures=native",
  "SystemCallFilter=@system-service",
  "SystemCallFilter=~@privileged @resources",
  "SystemCallErrorNumber=EPERM",
] as const;
