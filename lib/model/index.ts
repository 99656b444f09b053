export * from './types';
export * from './quorum';
export * from './validate';
export * from './zoocfg';
export * from './java-properties';
export * from './settings-hash';
export * from './settings-keys';
export * from './sizing';
export * from './connect-string';
export * from './existing';
export * from './tls';
export * from './handler-args';
// Timeouts, DEFAULT_TIMEOUTS and DEFAULT_BAKE_MS are public through lib/runtime (executor) for now;
// exporting them here too would make lib/index.ts's re-exports ambiguous until the executor takes them from ./defaults.
export {
  DEFAULT_LOCAL_BASE_DIR, DEFAULT_SSH_BASE_DIR, DEFAULT_SSH_CONNECT_TIMEOUT_SECONDS, SSH_COMMAND_TIMEOUT_MS, DEFAULT_MAX_LAG,
  PROBE_TIMEOUT_MS, TEARDOWN_PROBE_TIMEOUT_MS, VERIFY_CONNECT_TIMEOUT_MS, PORT_CHECK_TIMEOUT_MS, msToSeconds,
} from './defaults';
export * from './backup';
export * from './txnlog';
