import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { RECORDING_HEADER, TRUTH_HEADER, US_PER_S, type SensorId } from '@gaitwatch/protocol';
import type { Mat3 } from './model/rotation.ts';
import { LEFT } from './model/steps.ts';
import type { SimulatedSession } from './session.ts';
import { weakSideOf } from './screen/protocol.ts';
import { REP_TRUTH_HEADER, repTruth, type RepTruth } from './screen/truth.ts';
import { stanceTruth, type StanceTruth } from './truth.ts';

export { RECORDING_HEADER, TRUTH_HEADER, REP_TRUTH_HEADER };

export interface RecordingPaths {
  readonly csv: string;
  readonly truth: string;
  readonly meta: string;
  /** `<name>.reps.csv`: written for screen scenarios only. */
  readonly reps: string | undefined;
}

/** Flushes the CSV in ~256 KB writes and honours the stream's backpressure. */
class ChunkedWriter {
  private buffer: string[] = [];
  private size = 0;
  constructor(private readonly stream: WriteStream) {}
  async line(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size > 256 * 1024) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const ok = this.stream.write(`${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.size = 0;
    if (!ok) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Streams the session's samples in time order across sensors into `<name>.csv`. */
async function writeSamples(session: SimulatedSession, path: string): Promise<Record<string, number>> {
  const writer = new ChunkedWriter(createWriteStream(path));
  await writer.line(RECORDING_HEADER);
  const sensors = [...session.imus.keys()];
  const next = new Map<SensorId, number>(sensors.map((s) => [s, 0]));
  const counts: Record<string, number> = Object.fromEntries(sensors.map((s) => [s, 0]));
  const sample = new Float64Array(6);
  for (;;) {
    let sensor: SensorId | undefined;
    let best = Infinity;
    for (const s of sensors) {
      const n = next.get(s)!;
      if (n >= session.sampleCount(s)) continue;
      const t = session.sampleTimeS(s, n);
      if (t < best) {
        best = t;
        sensor = s;
      }
    }
    if (sensor === undefined) break;
    next.set(sensor, next.get(sensor)! + 1);
    if (session.isDropped(sensor, best)) continue;
    session.imus.get(sensor)!.sample(best, sample);
    const tUs = session.timestampUs(best);
    await writer.line(
      `${tUs},${sensor},${sample[0]!.toFixed(4)},${sample[1]!.toFixed(4)},${sample[2]!.toFixed(4)},${sample[3]!.toFixed(5)},${sample[4]!.toFixed(5)},${sample[5]!.toFixed(5)}`,
    );
    counts[sensor] = counts[sensor]! + 1;
  }
  await writer.close();
  return counts;
}

function truthCsv(session: SimulatedSession, stances: readonly StanceTruth[]): string {
  const us = (s: number): number => session.startUs + Math.round(s * US_PER_S);
  const rows = stances.map((st) =>
    [st.side, us(st.icS), us(st.toS), st.strideTimeS?.toFixed(6) ?? '', st.gctS.toFixed(6), st.pelvicDropDeg.toFixed(3), st.shankFrontalDeg.toFixed(3)].join(','),
  );
  return `${[TRUTH_HEADER, ...rows].join('\n')}\n`;
}

function repsCsv(session: SimulatedSession, reps: readonly RepTruth[]): string {
  const us = (s: number): number => session.startUs + Math.round(s * US_PER_S);
  const rows = reps.map((r) => [r.set, r.rep, r.side, us(r.startS), us(r.bottomS), us(r.endS), r.pelvicDropDeg.toFixed(3), r.kneeCollapseDeg.toFixed(3), r.depthDeg.toFixed(3)].join(','));
  return `${[REP_TRUTH_HEADER, ...rows].join('\n')}\n`;
}

export function sessionMeta(session: SimulatedSession, name: string, stanceCount: number, sampleCounts: Record<string, number>, repCount = 0): object {
  const us = (s: number | undefined): number | null => (s === undefined ? null : session.startUs + Math.round(s * US_PER_S));
  return {
    name,
    generator: '@gaitwatch/runner-sim',
    scenario: session.plan.name,
    seed: session.options.seed,
    runnerIndex: session.options.runnerIndex ?? 0,
    sampleRateHz: session.sampleRateHz,
    startUs: session.startUs,
    durationS: session.plan.durationS,
    // A screen's running plan stands throughout: its quiet standing is the protocol's, before the first set.
    standingS: session.screen?.plan.protocol.standingS ?? session.plan.standingS,
    fatigueOnsetUs: us(session.plan.fatigueOnsetS),
    weakSide: (session.screen !== undefined ? weakSideOf(session.screen.plan) : session.plan.weakSide) ?? null,
    bouts: session.plan.bouts,
    profile: session.profile,
    sensors: Object.fromEntries(
      [...session.imus].map(([id, imu]) => [
        id,
        { misalignmentDeg: imu.spec.misalignmentDeg, mountYawDeg: mountYawDeg(imu.spec.mount), offsetM: imu.spec.offsetM, accRangeMps2: imu.spec.accRangeMps2, samples: sampleCounts[id], clippedSamples: imu.clippedSamples },
      ]),
    ),
    faults: session.faults.map((f) => ({ ...f, ...('fromS' in f ? { fromUs: us(f.fromS) } : {}), ...('toS' in f ? { toUs: us(f.toS) } : {}) })),
    stances: stanceCount,
    ...(session.screen !== undefined
      ? {
          activity: 'screen',
          screen: {
            ...session.screen.plan.protocol,
            // The walk between the first standing and the settle before the first set (its steps are no strides: no stance truth).
            ...(session.screen.plan.walkIn !== undefined ? { walkIn: { steps: session.screen.plan.walkIn.steps, startUs: us(session.screen.plan.walkIn.startS), endUs: us(session.screen.plan.walkIn.endS) } } : {}),
            sets: session.screen.plan.sets.map((set) => ({ standingLeg: set.side === LEFT ? 'left' : 'right', control: set.control, reps: set.reps.length, startUs: us(set.startS), endUs: us(set.endS) })),
          },
          reps: repCount,
        }
      : {}),
  };
}

/**
 * The mounting's rotation about the segment's long axis, degrees: the angle of
 * the segment's anterior axis from the sensor's x axis, both seen in the
 * sensor plane perpendicular to the segment's superior axis (what standing
 * cannot reveal and the analysis has to find from the motion).
 */
export function mountYawDeg(mount: Mat3): number {
  // mount: sensor → segment, row-major; its rows are the segment axes in sensor coordinates.
  const [ax, ay, az, , , , ux, uy, uz] = mount as unknown as number[];
  // x_p: sensor x made perpendicular to up; y_p = up × x_p.
  let px = 1 - ux! * ux!;
  let py = -ux! * uy!;
  let pz = -ux! * uz!;
  const n = Math.hypot(px, py, pz);
  px /= n;
  py /= n;
  pz /= n;
  const qx = uy! * pz - uz! * py;
  const qy = uz! * px - ux! * pz;
  const qz = ux! * py - uy! * px;
  return (Math.atan2(ax! * qx + ay! * qy + az! * qz, ax! * px + ay! * py + az! * pz) * 180) / Math.PI;
}

/** Writes `<name>.csv`, `<name>.truth.csv`, `<name>.meta.json` and, for a screen, `<name>.reps.csv` into `dir`. */
export async function writeRecording(session: SimulatedSession, dir: string, name: string): Promise<RecordingPaths> {
  await mkdir(dir, { recursive: true });
  const paths = {
    csv: join(dir, `${name}.csv`),
    truth: join(dir, `${name}.truth.csv`),
    meta: join(dir, `${name}.meta.json`),
    reps: session.screen !== undefined ? join(dir, `${name}.reps.csv`) : undefined,
  };
  const counts = await writeSamples(session, paths.csv);
  // A screen has no strides: its stance truth is the header alone.
  const stances = stanceTruth(session.body);
  await writeFile(paths.truth, truthCsv(session, stances));
  const reps = session.screen !== undefined ? repTruth(session.screen) : [];
  if (paths.reps !== undefined) await writeFile(paths.reps, repsCsv(session, reps));
  await writeFile(paths.meta, `${JSON.stringify(sessionMeta(session, name, stances.length, counts, reps.length), null, 2)}\n`);
  return paths;
}
