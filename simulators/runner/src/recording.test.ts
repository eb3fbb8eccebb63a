import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FATIGUE } from './model/scenario.ts';
import { RECORDING_HEADER, TRUTH_HEADER, writeRecording } from './recording.ts';
import { SimulatedSession } from './session.ts';

const dirs: string[] = [];
async function record(options: ConstructorParameters<typeof SimulatedSession>[0], name = 'run'): Promise<{ csv: string; truth: string; meta: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-sim-'));
  dirs.push(dir);
  const paths = await writeRecording(new SimulatedSession(options), dir, name);
  return {
    csv: await readFile(paths.csv, 'utf8'),
    truth: await readFile(paths.truth, 'utf8'),
    meta: JSON.parse(await readFile(paths.meta, 'utf8')) as Record<string, unknown>,
  };
}
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

function truthRows(truth: string): Record<string, string>[] {
  const [header, ...rows] = truth.trim().split('\n');
  const names = header!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i]!, v])));
}

describe('recordings', () => {
  it('writes the documented formats', async () => {
    const { csv, truth, meta } = await record({ scenario: 'steady', durationS: 30, seed: 3 });
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(RECORDING_HEADER);
    expect(lines[1]).toMatch(/^\d{16},(pelvis|shank_left|shank_right)(,-?\d+\.\d+){6}$/);
    // Per sensor, time strictly increases.
    const last = new Map<string, number>();
    for (const line of lines.slice(1)) {
      const [t, sensor] = line.split(',');
      expect(Number(t)).toBeGreaterThan(last.get(sensor!) ?? 0);
      last.set(sensor!, Number(t));
    }
    expect(truth.split('\n')[0]).toBe(TRUTH_HEADER);
    const rows = truthRows(truth);
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      expect(['left', 'right']).toContain(row['side']);
      expect(Number(row['to_us'])).toBeGreaterThan(Number(row['ic_us']));
    }
    expect(meta).toMatchObject({ scenario: 'steady', seed: 3, sampleRateHz: 200, stances: rows.length });
  });

  it('is reproducible bit for bit from the seed, and the seed matters', async () => {
    const a = await record({ scenario: 'itb-fatigue', durationS: 30, seed: 11 });
    const b = await record({ scenario: 'itb-fatigue', durationS: 30, seed: 11 });
    const c = await record({ scenario: 'itb-fatigue', durationS: 30, seed: 12 });
    expect(a.csv).toBe(b.csv);
    expect(a.truth).toBe(b.truth);
    expect(a.csv).not.toBe(c.csv);
  });

  it('raises pelvic drop and knee-collapse truth after the fatigue onset of itb-fatigue', async () => {
    const onsetS = 60;
    const { truth, meta } = await record({ scenario: 'itb-fatigue', durationS: 330, seed: 5, fatigueOnsetS: onsetS });
    const rows = truthRows(truth).map((r) => ({ t: (Number(r['ic_us']) - Number(meta['startUs'])) / 1e6, drop: Number(r['pelvic_drop_deg']), shank: Number(r['shank_frontal_deg']) }));
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const fresh = rows.filter((r) => r.t > 20 && r.t < onsetS);
    const tired = rows.filter((r) => r.t > onsetS + 3 * FATIGUE.timeConstantS);
    expect(mean(tired.map((r) => r.drop)) - mean(fresh.map((r) => r.drop))).toBeGreaterThan(0.7 * FATIGUE.extraDropDeg);
    expect(mean(tired.map((r) => r.shank)) - mean(fresh.map((r) => r.shank))).toBeGreaterThan(0.6 * FATIGUE.extraCollapseDeg);
    expect(meta['fatigueOnsetUs']).toBe(Number(meta['startUs']) + onsetS * 1e6);
  });

  it('injects exactly the sensor faults it reports', async () => {
    const { csv, meta } = await record({ scenario: 'sensor-faults', durationS: 200, seed: 9 });
    const faults = meta['faults'] as { kind: string; sensor: string; fromUs?: number; toUs?: number; accRangeMps2?: number }[];
    const sensors = meta['sensors'] as Record<string, { samples: number; clippedSamples: number; accRangeMps2: number }>;
    const rows = csv.trim().split('\n').slice(1).map((l) => l.split(','));
    const silent = faults.find((f) => f.kind === 'silent')!;
    const after = rows.filter((r) => r[1] === silent.sensor && Number(r[0]) > silent.fromUs! + 1000);
    expect(after).toHaveLength(0);
    for (const dropout of faults.filter((f) => f.kind === 'dropout')) {
      const inside = rows.filter((r) => r[1] === dropout.sensor && Number(r[0]) > dropout.fromUs! + 1000 && Number(r[0]) < dropout.toUs! - 1000);
      expect(inside).toHaveLength(0);
    }
    expect(faults.filter((f) => f.kind === 'dropout').length).toBeGreaterThanOrEqual(1);
    const clip = faults.find((f) => f.kind === 'clipping')!;
    const clippedRows = rows.filter((r) => r[1] === clip.sensor && r.slice(2, 5).some((v) => Math.abs(Number(v)) >= clip.accRangeMps2! - 1e-3));
    expect(sensors[clip.sensor]!.clippedSamples).toBeGreaterThan(0);
    expect(clippedRows.length).toBeGreaterThan(0);
    for (const [id, info] of Object.entries(sensors)) expect(rows.filter((r) => r[1] === id)).toHaveLength(info.samples);
  });

  it('walks and runs in return-to-run', async () => {
    const session = new SimulatedSession({ scenario: 'return-to-run', durationS: 400, seed: 2 });
    const modes = new Set(session.body.steps.filter((s) => !s.virtual).map((s) => s.mode));
    expect(modes).toEqual(new Set(['walk', 'run']));
  });
});
