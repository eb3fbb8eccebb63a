// deploy/grafana: the provisioned datasource and the dashboard's InfluxQL,
// run for real against InfluxDB 1.x (Debian's influxd through the harness)
// holding stride and alert points shaped as packages/storage writes them.
// Grafana itself is not started here (not installed); its macros are
// substituted the way it expands them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Point } from '@influxdata/influxdb-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { realServices } from '../harness/index.ts';
import { DEPLOY } from './broker.ts';

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  rawQuery: boolean;
  query: string;
}
interface Dashboard {
  uid: string;
  panels: { title: string; datasource: { uid: string }; targets: Target[] }[];
  templating: { list: { name: string; query: string; datasource: { uid: string } }[] };
}

const grafana = (path: string): string => readFileSync(join(DEPLOY, 'grafana', path), 'utf8');
const dashboard = JSON.parse(grafana('dashboards/gaitwatch-form.json')) as Dashboard;
const datasource = (parse(grafana('provisioning/datasources/influxdb.yml')) as { datasources: { uid: string; url: string; jsonData: { dbName: string }; secureJsonData: { httpHeaderValue1: string } }[] }).datasources[0]!;
const targets = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, ...t })));

/** Stride fields of the storage contract (DESIGN.md "Storage contract", packages/storage STRIDE_METRICS). */
const STRIDE_FIELDS = ['strideTimeS', 'gctS', 'cadenceSpm', 'pelvicDropDeg', 'shankFrontalDeg'];

describe('deploy/grafana provisioning', () => {
  it('points every panel and variable at the provisioned datasource, with no secret in the files', () => {
    expect(datasource).toMatchObject({ uid: 'gaitwatch-influxdb', url: 'http://influxdb:8086', jsonData: { dbName: '$INFLUX_BUCKET' }, secureJsonData: { httpHeaderValue1: 'Token $INFLUX_TOKEN' } });
    for (const t of targets) expect(t.datasource.uid, t.panel).toBe(datasource.uid);
    for (const p of dashboard.panels) expect(p.datasource.uid, p.title).toBe(datasource.uid);
    for (const v of dashboard.templating.list) expect(v.datasource.uid).toBe(datasource.uid);
    expect(targets.length).toBeGreaterThanOrEqual(5);
  });

  it('queries only stride fields of the storage contract', () => {
    for (const t of targets.filter((t) => t.query.includes('FROM "stride"'))) {
      const fields = [...t.query.matchAll(/mean\("([A-Za-z]+)"\)/g)].map((m) => m[1]);
      expect(fields.length, t.panel).toBeGreaterThan(0);
      for (const f of fields) expect(STRIDE_FIELDS, t.panel).toContain(f);
    }
  });
});

const services = await realServices(['influxdb']);

describe.skipIf(services.skip)('deploy/grafana dashboard queries on a real InfluxDB (InfluxQL)', () => {
  const running = services.use();
  const athletes = ['ath-a.1', 'ath-b'];
  const nowMs = Date.now();
  let query: (q: string) => Promise<{ series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]; error?: string }>;

  beforeAll(async () => {
    const influx = running.get('influxdb');
    const db = influx.database!;
    const lines: string[] = [];
    for (const athlete of athletes) {
      for (let i = 0; i < 20; i++) {
        const ns = `${nowMs - 60_000 + i * 1000}000000`;
        const stride = new Point('stride').tag('athlete', athlete).tag('session', 's1').tag('side', i % 2 === 0 ? 'left' : 'right').intField('schemaVersion', 1);
        for (const [k, f] of STRIDE_FIELDS.entries()) stride.floatField(f, 1 + k + i / 10);
        lines.push(stride.timestamp(ns).toLineProtocol()!);
      }
      const alert = new Point('alert').tag('athlete', athlete).tag('session', 's1').tag('type', 'form_breakdown').tag('severity', 'warning').tag('metric', 'pelvicDropDeg').tag('phase', 'onset');
      alert.stringField('message', `form breaking down: ${athlete}`).floatField('value', 8.2).floatField('baseline', 5.1);
      lines.push(alert.timestamp(`${nowMs - 10_000}000000`).toLineProtocol()!);
    }
    const written = await fetch(`${influx.url}/write?db=${db}`, { method: 'POST', body: lines.join('\n') });
    expect(written.status, await written.text()).toBe(204);
    query = async (q) => {
      const res = await fetch(`${influx.url}/query?db=${db}`, { method: 'POST', body: new URLSearchParams({ q }) });
      const body = (await res.json()) as { results: { series?: []; error?: string }[]; error?: string };
      if (body.error !== undefined) return { error: body.error };
      return body.results[0]!;
    };
  });

  /** Grafana's expansion: $timeFilter, $__interval, and a multi-value variable in a regex as (a|b) with regex escaping. */
  const expand = (q: string, selected: readonly string[]): string =>
    q
      .replaceAll('$timeFilter', 'time > now() - 1h')
      .replaceAll('$__interval', '10s')
      .replaceAll('$athlete', `(${selected.map((a) => a.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})`);

  it('lists the athletes for the variable', async () => {
    const result = await query(dashboard.templating.list[0]!.query);
    expect(result.error).toBeUndefined();
    expect(result.series![0]!.values.map((v) => v[1]).sort()).toEqual(athletes);
  });

  it('returns every stride panel per athlete and side, and only the athletes selected', async () => {
    for (const t of targets.filter((t) => t.query.includes('FROM "stride"'))) {
      const all = await query(expand(t.query, athletes));
      expect(all.error, `${t.panel}: ${all.error}`).toBeUndefined();
      expect(all.series!.map((s) => `${s.tags!['athlete']} ${s.tags!['side']}`).sort(), t.panel).toEqual(['ath-a.1 left', 'ath-a.1 right', 'ath-b left', 'ath-b right']);
      for (const s of all.series!) expect(s.values.some((v) => typeof v[1] === 'number'), t.panel).toBe(true);
      const one = await query(expand(t.query, ['ath-a.1']));
      expect(new Set(one.series!.map((s) => s.tags!['athlete'])), t.panel).toEqual(new Set(['ath-a.1']));
    }
  });

  it('returns the alerts table with its tags and fields', async () => {
    const t = targets.find((t) => t.query.includes('FROM "alert"'))!;
    const result = await query(expand(t.query, ['ath-b']));
    expect(result.error).toBeUndefined();
    const [series] = result.series!;
    expect(series!.columns).toEqual(['time', 'athlete', 'session', 'type', 'severity', 'phase', 'metric', 'value', 'baseline', 'message']);
    expect(series!.values).toHaveLength(1);
    expect(series!.values[0]!.slice(1)).toEqual(['ath-b', 's1', 'form_breakdown', 'warning', 'onset', 'pelvicDropDeg', 8.2, 5.1, 'form breaking down: ath-b']);
  });
});
