/**
 * The dashboard's reading of alerts (services/api/dashboard/alerts.js):
 * a session's data quality in plain words from its data_quality alerts
 * (as packages/dsp raises them), and which form alerts are still open.
 */
import { describe, expect, it } from 'vitest';
import { alertTitle, dataQuality, isForm, openFormAlerts, qualityWords, type AlertLike } from '../../services/api/dashboard/alerts.js';

const dq = (metric: string, phase: 'raised' | 'resolved', extra: Partial<AlertLike> = {}): AlertLike => ({ type: 'data_quality', metric, phase, tUs: 1_780_000_000_000_000, ...extra });

describe('alerts in words', () => {
  it('says what each data-quality problem is and what it costs', () => {
    expect(qualityWords(dq('sensor_silent', 'raised', { sensor: 'pelvis' }))).toMatch(/pelvis sensor sends nothing.*pelvic drop is not measured/i);
    expect(qualityWords(dq('sensor_silent', 'raised', { sensor: 'shank_left' }))).toMatch(/left knee-collapse proxy/);
    // packet_loss names the metric it costs in its episode id (packages/dsp quality/loss-cost.ts).
    expect(qualityWords(dq('packet_loss', 'raised', { sensor: 'shank_right', value: 0.25, episodeId: 'shank_right:shankFrontalDeg:packet_loss:1780000000000000' }))).toBe(
      'Lost packets from the right shank sensor cost the knee-collapse proxy on 25 % of recent stances (phone too far away or busy?).',
    );
    expect(qualityWords(dq('units_suspect', 'raised', { sensor: 'pelvis' }))).toMatch(/wrong units.*no angles/);
    expect(qualityWords(dq('sides_swapped', 'raised'))).toMatch(/wrong legs/);
    expect(qualityWords(dq('sensor_moved', 'raised', { sensor: 'shank_left', value: 6.5 }))).toMatch(/left shank sensor's clip was knocked or shifted by 6.5°/);
    expect(qualityWords(dq('clipping', 'raised', { sensor: 'shank_left' }))).toMatch(/full scale/);
    expect(qualityWords(dq('clock', 'raised', { sensor: 'pelvis' }))).toMatch(/timestamps jump/);
    expect(qualityWords(dq('sensor_flat', 'raised', { sensor: 'pelvis' }))).toMatch(/same values/);
  });

  it('reads the reason and the affected metric where the alert carries them (DESIGN.md), the metric for alerts stored before', () => {
    // The analysis sets reason = metric; an alert whose two disagree proves which one the words follow.
    expect(qualityWords(dq('sensor_flat', 'raised', { sensor: 'pelvis', reason: 'clipping' }))).toMatch(/full scale/);
    expect(alertTitle(dq('sensor_flat', 'raised', { reason: 'sides_swapped' }))).toBe('Data quality: sides swapped');
    expect(qualityWords(dq('packet_loss', 'raised', { sensor: 'shank_right', reason: 'packet_loss', affectedMetric: 'pelvicDropDeg', episodeId: 'shank_right:shankFrontalDeg:packet_loss:1' }))).toMatch(/cost the pelvic drop/);
    const moved = [dq('sensor_flat', 'raised', { sensor: 'pelvis', reason: 'sensor_moved', value: 5 })];
    expect(dataQuality(moved)).toMatchObject({ level: 'fair', open: [] });
  });

  it('keeps raised problems open until resolved, and one-off events as earlier', () => {
    const silent = dq('sensor_silent', 'raised', { sensor: 'pelvis', episodeId: 'e1' });
    expect(dataQuality([]).level).toBe('good');
    expect(dataQuality([silent])).toMatchObject({ level: 'poor', summary: '1 data problem now' });
    expect(dataQuality([silent, dq('sensor_silent', 'resolved', { sensor: 'pelvis', episodeId: 'e1', tUs: silent.tUs + 1 })]).level).toBe('good');
    const moved = [dq('sensor_moved', 'raised', { sensor: 'pelvis', value: 5 }), dq('sensor_moved', 'resolved', { sensor: 'pelvis', value: 5 })];
    expect(dataQuality(moved)).toMatchObject({ level: 'fair', open: [] });
    expect(dataQuality(moved).earlier).toHaveLength(1);
    // Form alerts are not data quality.
    expect(dataQuality([{ type: 'form_breakdown', metric: 'pelvicDropDeg', phase: 'raised', tUs: 1 }]).level).toBe('good');
  });

  it('tells form alerts apart and tracks which are still open', () => {
    expect(isForm({ type: 'form_breakdown' })).toBe(true);
    expect(isForm({ type: 'pelvic_drop_high' })).toBe(true);
    expect(isForm({ type: 'data_quality' })).toBe(false);
    const raised: AlertLike = { type: 'form_breakdown', metric: 'pelvicDropDeg', side: 'left', phase: 'raised', tUs: 10, episodeId: 'ep' };
    const other: AlertLike = { type: 'pelvic_drop_high', metric: 'pelvicDropDeg', side: 'right', phase: 'raised', tUs: 20, episodeId: 'ep2' };
    expect(openFormAlerts([raised, other])).toHaveLength(2);
    expect(openFormAlerts([other, { ...raised, phase: 'resolved', tUs: 30 }, raised])).toEqual([other]);
  });

  it('titles a load_ramp alert (raised across sessions, not a form alert) in words', () => {
    const ramp = (metric: string): AlertLike => ({ type: 'load_ramp', metric, phase: 'raised', tUs: 1_780_000_000_000_000 });
    expect(alertTitle(ramp('weeklyDistanceM'))).toBe('Training load up more than the weekly limit');
    expect(alertTitle(ramp('acwr'))).toMatch(/acute:chronic ratio/);
    expect(isForm(ramp('acwr'))).toBe(false);
  });
});
