// Public surface of @gaitwatch/ingest (README.md): the service, its configuration and its parts.
export { loadConfig, defaultAnalysisThreads, ConfigError, type IngestConfig, type NatsConfig } from './config.ts';
export { startIngest, createLogger, storeCheckpoints, dataDirProblem, type IngestService, type IngestDeps } from './service.ts';
export { IngestMetrics } from './metrics.ts';
export { MqttIntake, SUBSCRIPTIONS, type MqttIntakeOptions } from './mqtt-intake.ts';
export { NatsIntake, MqttPublisher, serverMappings, partitionFilter, consumerName, subjectToTopic, SUBJECT_ROOT, type NatsIntakeOptions } from './nats-intake.ts';
export { buildHealthServer, listen } from './http-server.ts';
export { StoreWriter, type StoreWriterOptions } from './output/store-writer.ts';
export { SessionManager, type SessionManagerOptions, type SessionOutput, type CheckpointSource, type AthleteSettingsSource } from './session/session-manager.ts';
export { AnalysisPool, MAX_CRASHES_IN_A_ROW, sessionThread, type AnalysisPoolOptions } from './session/analysis-pool.ts';
export { inProcessSessions, type SessionHost } from './session/session-host.ts';
export { LiveSession, CHECKPOINT_VERSION, type SessionCheckpoint, type EndReason, type SessionSink, type LiveSessionOptions } from './session/live-session.ts';
export { SensorInput, type SensorInputOptions, type SensorInputStats, type ReleasedFrame } from './session/sensor-input.ts';
export { RateLimitedLog } from './rate-limited-log.ts';
export { createAnalyzer, restoreAnalyzer, DEFAULT_ANALYZERS, type AnalyzerFactory, type HostedAnalyzer, type HostedEvent, type RepEvent, type SessionActivity } from './session/analyzer-factory.ts';
