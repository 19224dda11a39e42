// @lens/log/testing: the test kit of the EventLog port, kept off the main entry so production code never
// imports node:test. Adapters (and a future NATS one) run `runEventLogContract` against themselves.
export { runEventLogContract, type EventLogFixture } from './event-log-contract.js';
export { damageLocalRecord } from './damage-local-record.js';
