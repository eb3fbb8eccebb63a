import { STORE_WRITE_PROBLEM_REASONS, type GaitStore } from '@gaitwatch/storage';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The ingest service's Prometheus metrics, on a registry of its own (not
 * prom-client's global one), so that two services in one process — tests,
 * `gaitwatch start` — do not collide. Names are documented in the README.
 */
export class IngestMetrics {
  readonly registry = new Registry();
  readonly messages = new Counter({ name: 'gaitwatch_ingest_messages_total', help: 'MQTT messages received, by topic kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly rejected = new Counter({ name: 'gaitwatch_ingest_rejected_total', help: 'Messages refused, by kind and reason (protocol rejection codes, bad_topic, after_stop)', labelNames: ['kind', 'reason'] as const, registers: [this.registry] });
  readonly duplicateFrames = new Counter({ name: 'gaitwatch_ingest_duplicate_frames_total', help: 'IMU frames dropped as duplicates of (sensor, seq, t0)', registers: [this.registry] });
  readonly staleSamples = new Counter({ name: 'gaitwatch_ingest_stale_samples_total', help: 'Samples dropped because a sample at or after their time was already analysed (re-sends, duplicate rows, later than the jitter window)', registers: [this.registry] });
  readonly gaps = new Counter({ name: 'gaitwatch_ingest_gaps_total', help: 'Holes in a sensor stream longer than 1.5 sample periods', registers: [this.registry] });
  readonly missingSamples = new Counter({ name: 'gaitwatch_ingest_missing_samples_total', help: 'Samples missing in those holes', registers: [this.registry] });
  readonly samples = new Counter({ name: 'gaitwatch_ingest_samples_total', help: 'Samples handed to the analysis', registers: [this.registry] });
  readonly strides = new Counter({ name: 'gaitwatch_ingest_strides_total', help: 'Stances analysed', registers: [this.registry] });
  readonly reps = new Counter({ name: 'gaitwatch_ingest_reps_total', help: 'Movement-screen reps analysed, by standing leg (a rep off the contract is counted in rejected_total{kind="rep",reason="invalid_rep"} instead)', labelNames: ['side'] as const, registers: [this.registry] });
  readonly alerts = new Counter({ name: 'gaitwatch_ingest_alerts_total', help: 'Alerts raised or resolved, by type and phase', labelNames: ['type', 'phase'] as const, registers: [this.registry] });
  readonly loadRampCheckFailures = new Counter({ name: 'gaitwatch_ingest_load_ramp_check_failures_total', help: 'Training-load checks at session close that failed (store unreachable, bad settings); the load report still shows the week', registers: [this.registry] });
  readonly analysisReplayTrimmed = new Counter({ name: 'gaitwatch_ingest_analysis_replay_trimmed_messages_total', help: "Messages taken out of an analysis thread's replay log because it outgrew its byte bound with no covering checkpoint (the live analysis is untouched; a crash before the next covering checkpoint resumes with a gap)", registers: [this.registry] });
  readonly analysisReplayBytes = new Gauge({ name: 'gaitwatch_ingest_analysis_replay_bytes', help: "Payload bytes in an analysis thread's replay log (what a restarted thread would be given again), by thread", labelNames: ['thread'] as const, registers: [this.registry] });
  readonly analysisReplayDropped = new Counter({ name: 'gaitwatch_ingest_analysis_replay_dropped_messages_total', help: 'Messages dropped from the replay of an analysis thread that kept dying in it (its sessions resume from their stored checkpoints)', registers: [this.registry] });
  readonly sessionsActive = new Gauge({ name: 'gaitwatch_ingest_sessions_active', help: 'Sessions open now', registers: [this.registry] });
  readonly sessionsClosed = new Counter({ name: 'gaitwatch_ingest_sessions_closed_total', help: 'Sessions closed, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly bufferedFrames = new Gauge({ name: 'gaitwatch_ingest_jitter_buffered_frames', help: 'Frames waiting in the jitter buffers', registers: [this.registry] });
  readonly analysisLag = new Histogram({
    name: 'gaitwatch_ingest_analysis_lag_seconds',
    help: 'Time one message holds the event loop: decode, jitter buffer and the analysis of the frames it released',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly frameLatency = new Histogram({
    name: 'gaitwatch_ingest_frame_latency_seconds',
    help: 'Time from a frame arriving (MQTT message handed to ingest) to its analysis done: jitter-buffer wait + analysis',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly arrivalLag = new Histogram({
    name: 'gaitwatch_ingest_arrival_to_analysis_seconds',
    help: 'Time from a message arriving on the main thread to its analysis done on its analysis thread (batching, queue, decode, jitter-buffer insert, analysis of what it released); INGEST_ANALYSIS_THREADS > 0 only',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly analysisQueue = new Gauge({ name: 'gaitwatch_ingest_analysis_queue_messages', help: 'Messages handed to an analysis thread and not yet analysed, by thread', labelNames: ['thread'] as const, registers: [this.registry] });
  readonly analysisHolds = new Counter({ name: 'gaitwatch_ingest_analysis_holds_total', help: 'Times the intake was held because an analysis thread fell INGEST_ANALYSIS_MAX_QUEUE messages behind (back-pressure)', registers: [this.registry] });
  readonly analysisThreadRestarts = new Counter({ name: 'gaitwatch_ingest_analysis_thread_restarts_total', help: 'Analysis threads that died and were restarted (their sessions resume from their checkpoints), by thread', labelNames: ['thread'] as const, registers: [this.registry] });
  readonly eventLoopTickLag = new Gauge({ name: 'gaitwatch_ingest_timer_lag_seconds', help: 'How late the last session timer tick ran (event-loop responsiveness)', registers: [this.registry] });
  readonly storeWrite = new Histogram({ name: 'gaitwatch_ingest_store_write_seconds', help: 'Duration of store writes until durable', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [this.registry] });
  readonly storeErrors = new Counter({ name: 'gaitwatch_ingest_store_errors_total', help: 'Store writes that failed, by error (full = back-pressure, retried)', labelNames: ['error'] as const, registers: [this.registry] });
  readonly storePending = new Gauge({ name: 'gaitwatch_ingest_store_pending_records', help: 'Records waiting for the store (queued or in flight)', registers: [this.registry] });
  readonly published = new Counter({ name: 'gaitwatch_ingest_published_total', help: 'Messages published back, by topic kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly mqttConnects = new Counter({ name: 'gaitwatch_ingest_mqtt_connects_total', help: 'Connections to the broker, by whether it kept the session', labelNames: ['session_present'] as const, registers: [this.registry] });
  readonly mqttSubscribes = new Counter({ name: 'gaitwatch_ingest_mqtt_subscribes_total', help: 'Subscriptions made again because the broker had not kept the session', registers: [this.registry] });
  readonly heldAcks = new Gauge({ name: 'gaitwatch_ingest_mqtt_held_acks', help: 'Messages received and not yet acknowledged to the broker, waiting for a durable checkpoint (INGEST_ACK=checkpoint)', registers: [this.registry] });
  readonly mqttConnected = new Gauge({ name: 'gaitwatch_ingest_mqtt_connected', help: '1 while connected to the broker', registers: [this.registry] });

  /** The store's own numbers (spool depth and bytes, replayed points …), read at scrape time. */
  watchStore(store: GaitStore): void {
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
    };
    gauge('gaitwatch_store_spool_depth_batches', 'Batches waiting in the InfluxDB spool', () => store.metrics.spoolDepthBatches);
    gauge('gaitwatch_store_spool_bytes', 'Bytes of spool on disk', () => store.metrics.spoolBytes);
    gauge('gaitwatch_store_spool_full', '1 while the spool refuses writes', () => store.metrics.spoolFull);
    gauge('gaitwatch_store_pending_points', 'Points accepted by the store, not yet acknowledged', () => store.metrics.pendingPoints);
    gauge('gaitwatch_store_points_written', 'Points the database acknowledged (counter)', () => store.metrics.pointsWritten);
    gauge('gaitwatch_store_points_spooled', 'Points put in the spool (counter)', () => store.metrics.pointsSpooled);
    gauge('gaitwatch_store_points_replayed', 'Points replayed from the spool (counter)', () => store.metrics.pointsReplayed);
    gauge('gaitwatch_store_last_write_seconds', 'Duration of the last acknowledged database write', () => store.metrics.lastWriteMs / 1000);
    gauge('gaitwatch_store_spool_points', 'Points waiting in the InfluxDB spool', () => store.metrics.spoolPoints);
    new Gauge({
      name: 'gaitwatch_store_write_problem',
      help: '1 while InfluxDB refuses every write for this reason, which waiting cannot heal (points wait in the spool): database_missing, retention_policy_missing, endpoint_missing, unauthorized',
      labelNames: ['reason'] as const,
      registers: [this.registry],
      collect() {
        // Every reason, 0 or 1: a series that exists before the problem makes alerting rules simple.
        const now = store.writeProblem?.reason;
        for (const reason of STORE_WRITE_PROBLEM_REASONS) this.set({ reason }, reason === now ? 1 : 0);
      },
    });
  }

  /**
   * The embedded broker's refusals (gaitwatch start: it runs in this process), read at scrape time: a device
   * guessing passwords or probing other athletes' topics shows on the dashboards, not only in the log.
   */
  watchBroker(read: () => Readonly<Record<string, number>>): void {
    new Counter({
      name: 'gaitwatch_broker_refused_total',
      help: 'Embedded broker refusals, by what was refused: connect (login), clientId (held by another account), publish, subscribe, forward (delivery)',
      labelNames: ['what'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [what, n] of Object.entries(read())) this.inc({ what }, n);
      },
    });
  }
}
