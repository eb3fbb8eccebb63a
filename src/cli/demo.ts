import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { analyzeRecording, type AlertEvent, type StrideEvent } from '@gaitwatch/dsp';
import { SimulatedSession, stanceTruth, writeRecording, type StanceTruth } from '@gaitwatch/runner-sim';

/**
 * What gaitwatch can show today, end to end without a broker: simulate a runner
 * whose hip abductors tire, write the recording with its ground truth, analyse
 * the recording, and print truth and analysis minute by minute.
 * Becomes `gaitwatch start` (broker, ingest, API, dashboard) in a later issue.
 */
export async function demo(): Promise<void> {
  const durationS = 8 * 60;
  const session = new SimulatedSession({ scenario: 'itb-fatigue', durationS, seed: 1, fatigueOnsetS: 4 * 60 });
  const dir = await mkdtemp(join(tmpdir(), 'gaitwatch-demo-'));
  console.log(`gaitwatch demo: simulating an 8-minute run whose glutes tire from minute 4 (seed 1)…`);
  const paths = await writeRecording(session, dir, 'demo-itb-fatigue');
  const p = session.profile;
  console.log(`runner: ${p.speedMps.toFixed(2)} m/s, ${p.cadenceSpm.toFixed(0)} steps/min, fresh-legs pelvic drop ~${p.baselineDropDeg.toFixed(1)}°`);
  console.log(`recording: ${paths.csv}\nground truth: ${paths.truth}\n`);
  const stances = stanceTruth(session.body);
  const detected: StrideEvent[] = [];
  const alerts: AlertEvent[] = [];
  await analyzeRecording(
    createReadStream(paths.csv, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>,
    (e) => {
      if (e.kind === 'stride') detected.push(e);
      else if (e.kind === 'alert') alerts.push(e);
    },
    {},
    { athleteId: 'demo-runner', sessionId: 'demo-run' },
  );
  console.log('        ------------ ground truth (simulator) ------------   ------------- gaitwatch analyze -------------');
  console.log('minute  stances  pelvic drop °  knee proxy °  cadence      stances  pelvic drop °  knee proxy °  cadence');
  for (let minute = 0; minute < durationS / 60; minute++) {
    const inMinute = stances.filter((s) => s.icS >= minute * 60 && s.icS < (minute + 1) * 60 && s.strideTimeS !== undefined);
    if (inMinute.length === 0) continue;
    const mean = (f: (s: StanceTruth) => number): number => inMinute.reduce((sum, s) => sum + f(s), 0) / inMinute.length;
    const marker = minute === 4 ? '  ← fatigue onset' : '';
    const startUs = session.startUs + minute * 60e6;
    const found = detected.filter((d) => d.icUs >= startUs && d.icUs < startUs + 60e6);
    const avg = (f: (d: StrideEvent) => number | null, digits: number): string => {
      const xs = found.map(f).filter((x): x is number => x !== null);
      return xs.length === 0 ? '–' : (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(digits);
    };
    console.log(
      `${String(minute + 1).padStart(6)}  ${String(inMinute.length).padStart(7)}  ${mean((s) => s.pelvicDropDeg).toFixed(1).padStart(13)}  ${mean((s) => s.shankFrontalDeg).toFixed(1).padStart(12)}  ${mean((s) => 120 / s.strideTimeS!).toFixed(0).padStart(7)}      ${String(found.length).padStart(7)}  ${avg((d) => d.pelvicDropDeg, 1).padStart(13)}  ${avg((d) => d.shankFrontalDeg, 1).padStart(12)}  ${avg((d) => d.cadenceSpm, 0).padStart(7)}${marker}`,
    );
  }
  console.log('\nalerts (what the runner\'s phone would cue and the coach would see):');
  if (alerts.length === 0) console.log('  none');
  for (const a of alerts) console.log(`  ${((a.tUs - session.startUs) / 60e6).toFixed(1).padStart(4)} min  ${a.type} ${a.phase}: ${a.message}`);
  console.log(`\nNext: \`pnpm -s gaitwatch simulate --help\` for fleets, scenarios and live MQTT publishing.`);
  console.log(`Try: pnpm -s gaitwatch analyze ${paths.csv} | head`);
  console.log('Ingest, storage, API and dashboard arrive with their issues; see README.');
}
