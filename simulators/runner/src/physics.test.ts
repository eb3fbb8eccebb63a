import { STANDARD_GRAVITY_MPS2 as G } from '@gaitwatch/protocol';
import { describe, expect, it } from 'vitest';
import { apply, applyTransposed, axisAngle, mat3, multiply, vec3 } from './model/rotation.ts';
import { LEFT } from './model/steps.ts';
import { SimulatedSession } from './session.ts';

/** An ideal session (no noise, bias, jitter): what the physics says, exactly. */
function ideal(overrides: Partial<ConstructorParameters<typeof SimulatedSession>[0]> = {}): SimulatedSession {
  return new SimulatedSession({ scenario: 'steady', durationS: 40, seed: 7, ideal: true, maxMisalignmentDeg: 15, ...overrides });
}

const norm = (v: ArrayLike<number>, offset = 0): number => Math.hypot(v[offset]!, v[offset + 1]!, v[offset + 2]!);

describe('runner simulator physics', () => {
  it('turns a knocked sensor by the slip angle, smoothly over 0.1 s, without moving it', () => {
    const slip = { kind: 'slip', sensor: 'pelvis', fromS: 20, deg: 4 } as const;
    const knocked = ideal({ faults: [slip] }).imus.get('pelvis')!;
    const reference = ideal().imus.get('pelvis')!;
    const r = mat3();
    const rRef = mat3();
    const p = vec3();
    const pRef = vec3();
    // Relative rotation R_refᵀ R: the segment frame's x axis turned by the slip, seen from the sensor.
    const turnDeg = (t: number): number => {
      knocked.truePose(t, r, p);
      reference.truePose(t, rRef, pRef);
      expect(Math.hypot(p[0]! - pRef[0]!, p[1]! - pRef[1]!, p[2]! - pRef[2]!)).toBeLessThan(1e-12);
      let trace = 0;
      for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) trace += rRef[k * 3 + i]! * r[k * 3 + i]!;
      return (Math.acos(Math.min(1, (trace - 1) / 2)) * 180) / Math.PI;
    };
    expect(turnDeg(19.9)).toBeLessThan(1e-6);
    expect(turnDeg(20.05)).toBeGreaterThan(0.5);
    expect(turnDeg(20.05)).toBeLessThan(3.5);
    expect(turnDeg(20.2)).toBeCloseTo(4, 6);
    expect(turnDeg(35)).toBeCloseTo(4, 6);
  });

  it('moves the pelvis smoothly through walk↔run changes (no posture jump, no spike)', () => {
    // Every session walks off at 5 s and starts running at 9 s; return-to-run walks again from 155 s.
    const steady = ideal({ seed: 4242 });
    const rehab = ideal({ scenario: 'return-to-run', durationS: 170 });
    const out = new Float64Array(6);
    let peakAcc = 0;
    let peakRate = 0;
    for (const [session, from, to] of [[steady, 4, 16], [rehab, 60, 72], [rehab, 150, 162]] as const) {
      const pelvis = session.imus.get('pelvis')!;
      for (let t = from; t < to; t += 0.005) {
        pelvis.sample(t, out);
        peakAcc = Math.max(peakAcc, norm(out));
        peakRate = Math.max(peakRate, norm(out, 3));
      }
    }
    // Running pelvis: ~3 g at mid-stance and a few rad/s at most; a 9 mm jump in one sample read 16 g.
    expect(peakAcc).toBeLessThan(4 * G);
    expect(peakRate).toBeLessThan(3);
  });

  it('moves the shanks smoothly through gait onset and walk↔run changes: no angle jump at a contact', () => {
    // The onset ramp scales the shank angles continuously in time, and at a change of gait the other mode's
    // curve is blended in over the first 0.15 s of the stance. Before: seed 7 jumped 11° at its walk→run
    // contact (10.77 s, a 35 rad/s spike) and a few degrees at each onset contact (the ramp scaled per step).
    const out = new Float64Array(6);
    const peakRate = (session: SimulatedSession, sensor: 'shank_left' | 'shank_right', from: number, to: number): number => {
      const imu = session.imus.get(sensor)!;
      let peak = 0;
      for (let t = from; t < to; t += 0.001) {
        imu.sample(t, out);
        peak = Math.max(peak, norm(out, 3));
      }
      return peak;
    };
    const steady = ideal();
    // return-to-run: walking 1 min, running 1.5 min, walking again.
    const rehab = ideal({ scenario: 'return-to-run', durationS: 170 });
    for (const sensor of ['shank_left', 'shank_right'] as const) {
      // Walk-off and the run that follows, against steady running later in the same session.
      expect(peakRate(steady, sensor, 5, 11)).toBeLessThanOrEqual(peakRate(steady, sensor, 25, 31));
      // Walk→run and run→walk, against the running between them (measured: within 4 % of it; a jump reads 3×).
      const running = peakRate(rehab, sensor, 100, 106);
      expect(peakRate(rehab, sensor, 58, 66)).toBeLessThanOrEqual(1.15 * running);
      expect(peakRate(rehab, sensor, 148, 156)).toBeLessThanOrEqual(1.15 * running);
    }
  });

  it('turns the pelvis with the swinging leg: at a contact, toward the contact leg walking and away from it running', () => {
    // Seen from above, counter-clockwise positive. Walking: at a left contact the left leg has just
    // swung through and the pelvis still turns its left side forward (clockwise); running: the right
    // leg has been swinging since before the flight (counter-clockwise). Both senses are the real
    // recordings' (../shared/data/real and real-running), at nearly every contact.
    const session = ideal({ scenario: 'return-to-run', durationS: 170 });
    const r = mat3();
    const p = vec3();
    const yawRad = (t: number): number => {
      session.body.pelvisPose(t, r, p);
      return Math.atan2(r[3]!, r[0]!);
    };
    const counted = { walk: { toward: 0, away: 0 }, run: { toward: 0, away: 0 } };
    for (const step of session.body.steps) {
      if (step.virtual || step.ramp < 1 || step.icS > 168) continue;
      const rate = (yawRad(step.icS + 0.005) - yawRad(step.icS - 0.005)) / 0.01;
      // Toward the contact leg: its side coming forward — clockwise for the left.
      const toward = step.side === LEFT ? rate < 0 : rate > 0;
      counted[step.mode][toward ? 'toward' : 'away']++;
    }
    expect(counted.walk.toward).toBeGreaterThan(20);
    expect(counted.run.away).toBeGreaterThan(200);
    // Only the strides blending one gait into the other may disagree.
    expect(counted.walk.away + counted.run.toward).toBeLessThanOrEqual(4);
  });

  it('reads |specific force| = g and no rotation while standing, on every sensor', () => {
    const session = ideal();
    const out = new Float64Array(6);
    for (const imu of session.imus.values()) {
      for (let t = 0.5; t < 4.5; t += 0.25) {
        imu.sample(t, out);
        expect(Math.abs(norm(out) - G)).toBeLessThan(0.02);
        expect(norm(out, 3)).toBeLessThan(0.02);
      }
    }
  });

  it.each([100, 1000])('reads g standing and the same running motion at %i Hz', (sampleRateHz) => {
    const session = ideal({ sampleRateHz });
    const reference = ideal();
    const out = new Float64Array(6);
    const ref = new Float64Array(6);
    const pelvis = session.imus.get('pelvis')!;
    pelvis.sample(2, out);
    expect(Math.abs(norm(out) - G)).toBeLessThan(0.02);
    // Same body, same instant: the readings differ only by the device's averaging window.
    let gyroError = 0;
    for (let t = 20; t < 22; t += 0.05) {
      session.imus.get('shank_left')!.sample(t, out);
      reference.imus.get('shank_left')!.sample(t, ref);
      gyroError = Math.max(gyroError, Math.hypot(out[3]! - ref[3]!, out[4]! - ref[4]!, out[5]! - ref[5]!));
    }
    expect(gyroError).toBeLessThan(1.5);
  });

  it('emits acceleration equal to the second derivative of the sensor trajectory, gravity removed, in the sensor frame', () => {
    const session = ideal({ oversample: 1 });
    const r = mat3();
    const p = [vec3(), vec3(), vec3()];
    const expected = vec3();
    const out = new Float64Array(6);
    const h = 0.0005;
    for (const imu of session.imus.values()) {
      const errors: number[] = [];
      for (let n = 2000; n < 6000; n += 7) {
        const t = session.sampleTimeS(imu.spec.sensor, n);
        imu.sample(t, out);
        imu.truePose(t - h, r, p[0]!);
        imu.truePose(t + h, r, p[2]!);
        imu.truePose(t, r, p[1]!);
        const acc = [0, 1, 2].map((c) => (p[2]![c]! - 2 * p[1]![c]! + p[0]![c]!) / (h * h));
        applyTransposed(r, acc[0]!, acc[1]!, acc[2]! + G, expected);
        errors.push(Math.hypot(out[0]! - expected[0]!, out[1]! - expected[1]!, out[2]! - expected[2]!));
      }
      errors.sort((a, b) => a - b);
      // The device differentiates over its 5 ms sample; the check over 0.5 ms. They
      // agree except inside the ~10 ms impact pulses, where the coarser step smooths.
      expect(errors[Math.floor(errors.length / 2)]!, imu.spec.sensor).toBeLessThan(0.05);
      expect(errors[Math.floor(errors.length * 0.9)]!, imu.spec.sensor).toBeLessThan(0.6);
    }
  });

  it('integrating the emitted gyro reproduces the orientation trajectory', () => {
    const session = ideal();
    const out = new Float64Array(6);
    const dt = session.periodUs / 1e6;
    const step = mat3();
    const tmp = mat3();
    for (const imu of session.imus.values()) {
      const sensor = imu.spec.sensor;
      const n0 = Math.round(12 / dt);
      const n1 = n0 + Math.round(10 / dt);
      const r = mat3();
      imu.truePose(session.sampleTimeS(sensor, n0), r, vec3());
      for (let n = n0; n < n1; n++) {
        // Midpoint rule: the rate over [t, t+dt] is the mean of the two device samples.
        imu.sample(session.sampleTimeS(sensor, n), out);
        const w0 = [out[3]!, out[4]!, out[5]!];
        imu.sample(session.sampleTimeS(sensor, n + 1), out);
        const w = [0, 1, 2].map((c) => ((w0[c]! + out[3 + c]!) / 2) * dt);
        const angle = Math.hypot(w[0]!, w[1]!, w[2]!);
        const axis = angle > 0 ? w.map((x) => x / angle) : [1, 0, 0];
        axisAngle(axis[0]!, axis[1]!, axis[2]!, angle, step);
        multiply(r, step, tmp);
        r.set(tmp);
      }
      const truth = mat3();
      imu.truePose(session.sampleTimeS(sensor, n1), truth, vec3());
      // Angle of Rᵀ_true · R_integrated.
      let trace = 0;
      for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) trace += truth[k * 3 + i]! * r[k * 3 + i]!;
      const errorDeg = (Math.acos(Math.min(1, (trace - 1) / 2)) * 180) / Math.PI;
      // 10 s of running, ~17 strides, shank rates up to ~12 rad/s.
      expect(errorDeg, sensor).toBeLessThan(3);
    }
  });

  it('places IC at the flight→stance transition: free fall before, support after (pelvis, running)', () => {
    const session = ideal({ durationS: 60 });
    const pelvis = session.imus.get('pelvis')!;
    const r = mat3();
    const world = vec3();
    const out = new Float64Array(6);
    const verticalForce = (t: number): number => {
      pelvis.sample(t, out);
      pelvis.truePose(t, r, vec3());
      apply(r, out[0]!, out[1]!, out[2]!, world);
      return world[2]!;
    };
    const running = session.body.steps.filter((s) => !s.virtual && s.mode === 'run' && s.icS > 20 && s.icS < 55);
    expect(running.length).toBeGreaterThan(50);
    for (const step of running) {
      const flight = verticalForce(step.icS - 0.02);
      const stance = verticalForce(step.icS + step.stanceS / 2);
      expect(Math.abs(flight)).toBeLessThan(0.3 * G);
      expect(stance).toBeGreaterThan(1.5 * G);
    }
  });

  // The running shank's phases from the literature (body.ts, RUN_SHANK: Novacheck 1998's
  // joint curves; Fadillioglu et al. 2020's end-of-swing crossing, −24.3 ms against force
  // plates in Kiernan et al. 2023). Read from the emitted gyro (ideal, no misalignment).
  // Measured, seed 7 (4.4 m/s, 51 strides): backward-rotation peak 0.127–0.139 of the
  // stride after TO, rate at TO 0.33–0.37 of that peak, zero crossing 25–29 ms before IC,
  // angle max at 0.60–0.63, min at 0.96. (The previous body: peak ~0.02 after TO, rate at
  // TO ~0.95 of it, crossing ~95 ms before IC, max at 0.49, min at 0.86.)
  it('rotates the running shank backward fastest in early swing, not at toe-off, and crosses zero shortly before contact', () => {
    const session = ideal({ durationS: 60, maxMisalignmentDeg: 0 });
    const shank = session.imus.get('shank_left')!;
    const out = new Float64Array(6);
    const steps = session.body.steps.filter((s) => !s.virtual && s.side === LEFT && s.mode === 'run' && s.icS > 20 && s.icS < 55);
    expect(steps.length).toBeGreaterThan(20);
    const dtS = 0.002;
    for (const step of steps) {
      const nextIc = session.body.steps[step.index + 2]!.icS;
      const strideS = nextIc - step.icS;
      const toS = step.icS + step.stanceS;
      const times: number[] = [];
      const rates: number[] = [];
      for (let t = step.icS; t <= nextIc + 1e-9; t += dtS) {
        shank.sample(t, out);
        times.push(t);
        rates.push(out[4]!);
      }
      const phase = (i: number): number => (times[i]! - step.icS) / strideS;
      const iTo = times.findIndex((t) => t >= toS);
      let iMid = iTo;
      for (let i = iTo; i < rates.length; i++) if (rates[i]! < rates[iMid]!) iMid = i;
      let iBack = iTo;
      for (let i = iTo; i < iMid; i++) if (rates[i]! > rates[iBack]!) iBack = i;
      const iZero = rates.findIndex((r, i) => i > iMid && r >= 0);
      let angle = 0;
      let maxAngle = 0;
      let minAngle = 0;
      let iMax = 0;
      let iMin = 0;
      for (let i = 1; i < rates.length; i++) {
        angle += ((rates[i]! + rates[i - 1]!) / 2) * dtS;
        if (angle > maxAngle) [maxAngle, iMax] = [angle, i];
        if (angle < minAngle) [minAngle, iMin] = [angle, i];
      }
      expect(phase(iBack) - phase(iTo)).toBeGreaterThan(0.08);
      expect(phase(iBack) - phase(iTo)).toBeLessThan(0.18);
      expect(rates[iTo]! / rates[iBack]!).toBeLessThan(0.5);
      expect(iZero).toBeGreaterThan(0);
      expect((nextIc - times[iZero]!) * 1000).toBeGreaterThan(10);
      expect((nextIc - times[iZero]!) * 1000).toBeLessThan(45);
      expect(phase(iMax)).toBeGreaterThan(0.57);
      expect(phase(iMax)).toBeLessThan(0.67);
      expect(phase(iMin)).toBeGreaterThan(0.92);
    }
  });

  it('puts the shank mid-swing angular-rate peak between toe-off and the next initial contact', () => {
    const session = ideal({ durationS: 60 });
    const shank = session.imus.get('shank_left')!;
    const out = new Float64Array(6);
    const steps = session.body.steps.filter((s) => !s.virtual && s.side === LEFT && s.mode === 'run' && s.icS > 20 && s.icS < 55);
    for (const step of steps) {
      const nextIc = session.body.steps[step.index + 2]!.icS;
      let peak = 0;
      let peakT = 0;
      for (let t = step.icS; t < nextIc; t += 0.002) {
        shank.sample(t, out);
        const rate = norm(out, 3);
        if (rate > peak) {
          peak = rate;
          peakT = t;
        }
      }
      expect(peakT).toBeGreaterThan(step.icS + step.stanceS);
      expect(peakT).toBeLessThan(nextIc);
      expect(peak).toBeGreaterThan(6);
    }
  });
});

describe('movement screen walk-in physics', () => {
  // The screen body hands over to the walk-in's body and back (screen/body.ts): a pose that did not continue
  // exactly would read as a spike (a 9 mm jump in one sample read 16 g at the pelvis, above).
  it('walks off and halts within walking\'s range, and reads g and no rotation standing before and after', () => {
    const out = new Float64Array(6);
    for (const scenario of ['screen-squat', 'screen-step-down'] as const) {
      const session = ideal({ scenario, durationS: 900 });
      const { walkIn, sets } = session.screen!.plan;
      for (const imu of session.imus.values()) {
        const sensor = imu.spec.sensor;
        const pelvis = sensor === 'pelvis';
        const at = (n: number): number => session.sampleTimeS(sensor, n);
        const first = (tS: number): number => Math.ceil((tS * 1e6 - session.phaseUs.get(sensor)!) / session.periodUs);
        // Within a second of each junction (the first and last steps): walking's range. Measured (seed 7): pelvis
        // ≤ 1.25 g and 0.8 rad/s, shanks ≤ 4.6 g and 6.9 rad/s (a full swing before the halt); steady walking reads up
        // to 1.3 g and 6.5 g, its swings ~7.5 rad/s. (The running body's first strides read 35 rad/s once: its shank
        // angle jumps at a contact, body.ts Gait.)
        // Read every 1 ms, not only at the device's samples: the mean of a sample's second differences telescopes to
        // the change of velocity across its window, so a jump of the pose between two inner points of one window
        // cancels out of that sample (a 5 cm jump at the walk's end read 1.0 g at the device's samples, 816 g here).
        for (const junctionS of [walkIn!.startS, walkIn!.endS]) {
          let peakG = 0;
          let peakRadps = 0;
          for (let t = junctionS - 1; t < junctionS + 1; t += 0.001) {
            imu.trueReading(t, out);
            peakG = Math.max(peakG, norm(out) / G);
            peakRadps = Math.max(peakRadps, norm(out, 3));
          }
          expect(peakG, `${scenario} ${sensor} at ${junctionS} s`).toBeLessThan(pelvis ? 3 : 6);
          expect(peakRadps, `${scenario} ${sensor} at ${junctionS} s`).toBeLessThan(pelvis ? 1.5 : 10);
        }
        // Quiet standing before the walk and in the settle after it, to the first set: 1 g, no rotation.
        for (const [fromS, toS] of [[0.05, walkIn!.startS], [walkIn!.endS + 0.01, sets[0]!.startS]] as const) {
          for (let n = first(fromS); at(n) < toS; n++) {
            imu.sample(at(n), out);
            expect(Math.abs(norm(out) - G), `${scenario} ${sensor} standing at ${at(n)} s`).toBeLessThan(0.02);
            expect(norm(out, 3), `${scenario} ${sensor} standing at ${at(n)} s`).toBeLessThan(0.02);
          }
        }
      }
    }
  });
});

