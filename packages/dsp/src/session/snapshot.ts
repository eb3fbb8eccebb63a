import type { AnalyzerParams } from '../params.ts';
import type { SensorTrack } from '../sensor-track.ts';
import { decodeInto, encodeState, type Encoded } from './state-codec.ts';

/** Bumped whenever the state layout changes: a worker refuses a snapshot of another version. */
export const SNAPSHOT_VERSION = 7;

/**
 * A session's state, JSON-serialisable: calibration, clocks and counters per
 * sensor; attitude, mounting and heading per segment; the fresh-legs
 * baselines and episodes; data-quality and mount-shift monitors; strides
 * found but not yet released; the summary's histograms. Not in it: the raw
 * or angle histories and the event detectors' filters (they re-sync from
 * the data that follows: see the analyzer's restore()).
 */
export interface AnalyzerSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly params: AnalyzerParams;
  readonly options: Record<string, unknown>;
  readonly tracks: Record<string, Encoded>;
  readonly state: Encoded;
}

/**
 * Fields never written: parameters and options (the snapshot carries them
 * once), histories, detectors, the pre-calibration hold, caches and scratch
 * buffers (their content is meaningless between calls), and the arena the
 * session's small arrays are carved from (the restored session has its own).
 */
const SKIP = new Set([
  'arena',
  'params',
  'options',
  'context',
  'spec',
  'tracks',
  'detectors',
  'gatingSensors',
  'ring',
  'calibrator',
  'standingWatch',
  'held',
  'probe',
  'scratch',
  'scratchRow',
  'sample',
  'world',
  'uv',
  'spanScratch',
  'epochScratch',
  'bridgeRow',
  'mappedRow',
  'nowScratch',
  'lastScratch',
  'intervalScratch',
  'earlyShank',
  'coverage',
  // The session's sensors: rebuilt from the options and the restored tracks (the parts share the array).
  'worn',
]);

export function takeSnapshot(params: AnalyzerParams, options: object, tracks: ReadonlyMap<string, SensorTrack>, analyzer: object): AnalyzerSnapshot {
  const seen = new WeakSet<object>();
  const encodedTracks: Record<string, Encoded> = {};
  for (const [sensor, track] of tracks) encodedTracks[sensor] = encodeState(track, SKIP, seen);
  return { version: SNAPSHOT_VERSION, params, options: { ...options }, tracks: encodedTracks, state: encodeState(analyzer, SKIP, seen) };
}

/** Checks what restore() is handed (a checkpoint read back from a store). */
export function checkSnapshot(snapshot: unknown): asserts snapshot is AnalyzerSnapshot {
  const s = snapshot as Partial<AnalyzerSnapshot> | null;
  if (s === null || typeof s !== 'object') throw new TypeError('snapshot: expected an object from SessionAnalyzer.snapshot()');
  if (s.version !== SNAPSHOT_VERSION) throw new TypeError(`snapshot: version ${String(s.version)} is not this analyzer's ${SNAPSHOT_VERSION}; start the session afresh`);
  if (typeof s.tracks !== 'object' || s.tracks === null || typeof s.state !== 'object' || s.state === null) throw new TypeError('snapshot: tracks and state are missing');
}

/**
 * Rebuilds a session in `analyzer` (fresh, built from the snapshot's params
 * and options): each sensor's track first, then — for a calibrated one — its
 * segment and a fresh detector, then everything else field by field.
 */
export function restoreSnapshot(
  analyzer: object,
  snapshot: AnalyzerSnapshot,
  trackOf: (sensor: string) => SensorTrack | undefined,
  start: (track: SensorTrack) => void,
): void {
  for (const [sensor, encoded] of Object.entries(snapshot.tracks)) {
    const track = trackOf(sensor);
    if (track === undefined) throw new TypeError(`snapshot: unknown sensor ${sensor}`);
    decodeInto(track, encoded);
    if (track.calibration !== undefined) {
      start(track);
      // The detectors start afresh: a contact one of them held at the cut is lost as in a gap, so a
      // stride that spans it must be judged as one across a gap (two strides long: no stride time),
      // not published at half the cadence.
      if (!(track.lastGapEndUs >= track.lastTUs)) track.lastGapEndUs = track.lastTUs;
    } else track.restartCalibration();
  }
  decodeInto(analyzer, snapshot.state);
}
