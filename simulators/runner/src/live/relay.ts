import { buildTopic, encodeBinaryImu, encodeJsonImu, US_PER_S, type ImuFrame, type SensorId, type StatusStart } from '@gaitwatch/protocol';
import type { MqttClient } from 'mqtt';
import { connectPublisher } from './connect-publisher.ts';
import { Random } from '../random.ts';
import type { SimulatedSession } from '../session.ts';
import { MessageSource } from './message-source.ts';
import { NetworkFaults, type NetworkFaultCounts, type NetworkFaultOptions } from './network-faults.ts';

export interface RelayOptions {
  readonly mqttUrl: string;
  readonly athleteId: string;
  readonly sessionId: string;
  readonly format: 'json' | 'binary';
  /** Samples per sensor per message (a phone relay batches 10–20). */
  readonly samplesPerMessage?: number;
  readonly faults?: NetworkFaultOptions;
  readonly clockOffsetUs?: Partial<Record<SensorId, number>>;
  readonly username?: string;
  readonly password?: string;
}

export interface RelayStats {
  /** IMU messages handed to the MQTT client (after faults: duplicates count twice). */
  sent: number;
  /** IMU messages acknowledged by the broker (QoS 1 PUBACK). */
  acked: number;
  /** IMU frames the session produced. */
  produced: number;
  faults: NetworkFaultCounts;
  /** Publish errors (the broker refused or the connection was closed), as messages. */
  errors: string[];
}

/**
 * One runner's phone: an MQTT client that announces the session (status
 * `start`, last will `lost`), publishes IMU frames at QoS 1 as they fall due,
 * and says `stop` at the end.
 */
export class RunnerRelay {
  private client: MqttClient | undefined;
  private readonly source: MessageSource;
  private readonly faults: NetworkFaults<Uint8Array | string>;
  private readonly imuTopic: string;
  private readonly statusTopic: string;
  private pending: ImuFrame | undefined;
  private wasDisconnected = false;
  private inFlight = 0;
  /** Recording seconds relayed so far (the last frame's end): a run stopped early ends there, not at its plan's end. */
  private ranS = 0;
  private drained: (() => void) | undefined;
  readonly stats: RelayStats;
  done = false;

  constructor(
    readonly session: SimulatedSession,
    readonly options: RelayOptions,
  ) {
    this.source = new MessageSource(session, options.samplesPerMessage ?? 15, options.clockOffsetUs);
    this.faults = new NetworkFaults(options.faults ?? {}, new Random(session.options.seed, 1000 + (session.options.runnerIndex ?? 0)));
    this.imuTopic = buildTopic(options.athleteId, options.sessionId, 'imu');
    this.statusTopic = buildTopic(options.athleteId, options.sessionId, 'status');
    this.stats = { sent: 0, acked: 0, produced: 0, faults: this.faults.counts, errors: [] };
  }

  async connect(): Promise<void> {
    const { athleteId, sessionId, mqttUrl, username, password } = this.options;
    this.client = await connectPublisher(mqttUrl, {
      clientId: `relay-${athleteId}-${sessionId}`.slice(0, 64),
      clean: false,
      reconnectPeriod: 500,
      connectTimeout: 10_000,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      will: { topic: this.statusTopic, payload: Buffer.from(JSON.stringify({ state: 'lost' })), qos: 1, retain: false },
    });
  }

  private get mqtt(): MqttClient {
    if (this.client === undefined) throw new Error('relay is not connected: call connect() first');
    return this.client;
  }

  async start(): Promise<void> {
    const status: StatusStart = {
      state: 'start',
      tUs: this.session.startUs,
      sensors: [...this.session.imus.keys()],
      sampleRateHz: this.session.sampleRateHz,
      firmware: 'gaitwatch-sim/1',
      format: this.options.format,
      runnerProfile: { heightM: this.session.profile.heightM, massKg: this.session.profile.massKg, usualSpeedMps: this.session.profile.speedMps },
      // DESIGN.md: the analysis picks its mode from the start (a screen counts reps, not strides).
      ...(this.session.screen !== undefined ? { activity: 'screen' as const } : {}),
    };
    await this.mqtt.publishAsync(this.statusTopic, JSON.stringify(status), { qos: 1 });
  }

  private encode(frame: ImuFrame): Uint8Array | string {
    return this.options.format === 'binary' ? encodeBinaryImu(frame) : encodeJsonImu(frame);
  }

  private send(payload: Uint8Array | string): void {
    this.stats.sent++;
    this.inFlight++;
    this.mqtt.publish(this.imuTopic, typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: 1 }, (error) => {
      this.inFlight--;
      if (!error) this.stats.acked++;
      else if (this.stats.errors.length < 100) this.stats.errors.push(`imu: ${error.message}`);
      if (this.inFlight === 0) this.drained?.();
    });
  }

  /** Publishes every frame due by session time `nowS`. Returns how many frames it produced. */
  pump(nowS: number): number {
    let produced = 0;
    for (;;) {
      const frame = this.pending ?? this.source.next();
      this.pending = undefined;
      if (frame === undefined) {
        this.done = true;
        return produced;
      }
      const frameEndS = (frame.t0Us - this.session.startUs) / US_PER_S + ((frame.count - 1) * frame.periodUs) / US_PER_S;
      if (frameEndS > nowS) {
        this.pending = frame;
        return produced;
      }
      produced++;
      this.stats.produced++;
      if (frameEndS > this.ranS) this.ranS = frameEndS;
      const disconnected = this.faults.isDisconnected(frameEndS);
      if (disconnected && !this.wasDisconnected) {
        // Drop the TCP connection for real: the broker publishes our last will, mqtt.js reconnects.
        this.mqtt.stream.destroy();
      }
      this.wasDisconnected = disconnected;
      for (const payload of this.faults.route(this.encode(frame), frameEndS, frame.sensor)) this.send(payload);
    }
  }

  /** Disconnects without a `stop` (a relay that never started). */
  async close(): Promise<void> {
    this.done = true;
    await this.client?.endAsync();
  }

  /** Flushes what faults held back, waits for every PUBACK, says `stop` and disconnects. */
  async finish(): Promise<void> {
    for (const payload of this.faults.drain()) this.send(payload);
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    // Where the run stopped: its plan's end, or earlier when the fleet was stopped (Ctrl-C, the demo's end).
    const ranS = Math.min(this.session.plan.durationS, this.ranS);
    const endUs = this.session.startUs + Math.round(ranS * US_PER_S);
    // The phone's GPS distance: the runner's speed over the time run, less the standing (DESIGN.md: `stop` may carry it).
    // A screen goes nowhere (its walk-in is a few metres indoors: no GPS distance, and no running load).
    const movingS = this.session.screen !== undefined ? 0 : Math.max(0, ranS - this.session.plan.standingS);
    const distanceM = Math.round(this.session.profile.speedMps * movingS);
    await this.mqtt.publishAsync(this.statusTopic, JSON.stringify({ state: 'stop', tUs: endUs, distanceM }), { qos: 1 });
    await this.mqtt.endAsync();
  }
}
