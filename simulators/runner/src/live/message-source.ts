import { CHANNELS_PER_SAMPLE, MAX_SEQ, type ImuFrame, type SensorId } from '@gaitwatch/protocol';
import type { SimulatedSession } from '../session.ts';

/**
 * Cuts a session's sample stream into IMU frames the way a phone relay does:
 * per sensor, `samplesPerMessage` consecutive samples, t0Us from the device
 * clock (plus the relay's jitter and any clock offset). Frames come out in
 * order of their last sample's time, across sensors. Dropped samples (sensor
 * faults) end a frame early; the next frame starts after the gap.
 */
export class MessageSource {
  private readonly sensors: SensorId[];
  private readonly nextSample = new Map<SensorId, number>();
  private readonly seq = new Map<SensorId, number>();
  private readonly buffer: Float64Array;

  constructor(
    readonly session: SimulatedSession,
    readonly samplesPerMessage: number,
    /** Per-sensor clock offsets, µs (the network-fault "clock offset between sensors"). */
    private readonly clockOffsetUs: Partial<Record<SensorId, number>> = {},
  ) {
    this.sensors = [...session.imus.keys()];
    for (const s of this.sensors) {
      this.nextSample.set(s, 0);
      this.seq.set(s, 0);
    }
    this.buffer = new Float64Array(samplesPerMessage * CHANNELS_PER_SAMPLE);
  }

  /** Session time (s) at which the next frame is complete, or undefined when all sensors are done. */
  nextDueS(): number | undefined {
    let best: number | undefined;
    for (const s of this.sensors) {
      const n = this.nextSample.get(s)!;
      const count = this.session.sampleCount(s);
      if (n >= count) continue;
      const last = Math.min(n + this.samplesPerMessage, count) - 1;
      const due = this.session.sampleTimeS(s, last);
      if (best === undefined || due < best) best = due;
    }
    return best;
  }

  /** The next frame in time order, or undefined when the session is over. */
  next(): ImuFrame | undefined {
    for (;;) {
      let sensor: SensorId | undefined;
      let bestDue = Infinity;
      for (const s of this.sensors) {
        const n = this.nextSample.get(s)!;
        const count = this.session.sampleCount(s);
        if (n >= count) continue;
        const due = this.session.sampleTimeS(s, Math.min(n + this.samplesPerMessage, count) - 1);
        if (due < bestDue) {
          bestDue = due;
          sensor = s;
        }
      }
      if (sensor === undefined) return undefined;
      const frame = this.cut(sensor);
      if (frame !== undefined) return frame;
    }
  }

  private cut(sensor: SensorId): ImuFrame | undefined {
    const session = this.session;
    const imu = session.imus.get(sensor)!;
    const count = session.sampleCount(sensor);
    let n = this.nextSample.get(sensor)!;
    // Skip samples lost to a sensor fault.
    while (n < count && session.isDropped(sensor, session.sampleTimeS(sensor, n))) n++;
    const first = n;
    const sample = this.buffer;
    let taken = 0;
    while (n < count && taken < this.samplesPerMessage) {
      const t = session.sampleTimeS(sensor, n);
      if (session.isDropped(sensor, t)) break;
      imu.sample(t, sample.subarray(taken * CHANNELS_PER_SAMPLE, (taken + 1) * CHANNELS_PER_SAMPLE));
      taken++;
      n++;
    }
    this.nextSample.set(sensor, n);
    if (taken === 0) return undefined;
    const seq = this.seq.get(sensor)!;
    this.seq.set(sensor, seq === MAX_SEQ ? 0 : seq + 1);
    return {
      sensor,
      seq,
      t0Us: session.timestampUs(session.sampleTimeS(sensor, first)) + (this.clockOffsetUs[sensor] ?? 0),
      periodUs: session.periodUs,
      count: taken,
      samples: sample.slice(0, taken * CHANNELS_PER_SAMPLE),
    };
  }
}
