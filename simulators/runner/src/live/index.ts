export { MessageSource } from './message-source.ts';
export { NetworkFaults, type NetworkFaultOptions, type NetworkFaultCounts } from './network-faults.ts';
export { RunnerRelay, type RelayOptions, type RelayStats } from './relay.ts';
export { runFleetParallel } from './parallel-fleet.ts';
export { runFleet, athleteIdFor, type FleetOptions, type FleetProgress, type FleetResult } from './fleet.ts';
export { replayRecording, type ReplayOptions, type ReplayResult } from './replay.ts';
