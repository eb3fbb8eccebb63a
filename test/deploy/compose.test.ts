// docker-compose.yml and deploy/ checked without Docker: the structure, and
// that each service's environment — ${VAR}s substituted from
// deploy/.env.example as `docker compose --env-file` would — passes the
// service's own config schema.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadApiConfig } from '@gaitwatch/api';
import { loadConfig } from '@gaitwatch/ingest';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  user?: string;
  environment?: Record<string, string>;
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean; bind?: { create_host_path?: boolean } })[];
  ports?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  tmpfs?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

/** deploy/.env.example as KEY=value pairs. */
function envExample(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of read('deploy/.env.example').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match !== null) vars[match[1]!] = match[2]!;
  }
  return vars;
}

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, $$. A variable neither in `vars` nor defaulted throws. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === '$$') return '$';
    const value = vars[name!];
    if (value !== undefined && value !== '') return value;
    if (op === ':-') return arg ?? '';
    throw new Error(`docker-compose.yml uses \${${name}} but deploy/.env.example does not set it${op === ':?' ? ` (compose would stop: ${arg})` : ''}`);
  });
}

/** Interpolates every string in the parsed file (as compose does: values, not comments). */
function interpolateAll(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, vars));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, vars)]));
  return value;
}

const compose = interpolateAll(parse(read('docker-compose.yml')), envExample()) as Compose;
const services = compose.services;
const dockerfile = read('deploy/docker/Dockerfile');

describe('docker-compose.yml', () => {
  it('has the services, sim only under its profile', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'grafana', 'influxdb', 'ingest', 'mosquitto', 'sim']);
    expect(services['sim']!.profiles).toEqual(['sim']);
    expect(services['grafana']!.profiles).toEqual(['grafana']);
    for (const name of ['mosquitto', 'influxdb', 'ingest', 'api']) expect(services[name]!.profiles).toBeUndefined();
    expect(services['mosquitto']!.image).toMatch(/^eclipse-mosquitto:2/);
    expect(services['influxdb']!.image).toMatch(/^influxdb:2\.7/);
  });

  it('builds the gaitwatch services from deploy/docker/Dockerfile and runs them as a non-root user', () => {
    for (const name of ['ingest', 'api', 'sim']) {
      const s = services[name]!;
      expect(s.build).toEqual({ context: '.', dockerfile: 'deploy/docker/Dockerfile' });
      expect(s.user).toBe('node');
    }
    expect(services['ingest']!.command).toEqual(['ingest']);
    expect(services['api']!.command).toEqual(['api']);
    // The image itself also drops root (a `docker run` without compose): its last USER is not root.
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(dockerfile).toMatch(/^FROM .* AS build$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*healthcheck\.mjs/m);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile/);
    expect(dockerfile).toMatch(/npm install -g pnpm@10/);
  });

  it('copies into the image only files that exist, and keeps secrets and node_modules out of the build context', () => {
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) (\S+)$/gm)) {
      for (const source of match[1]!.split(/\s+/)) expect(() => statSync(join(ROOT, source)), `COPY ${source}`).not.toThrow();
    }
    const ignore = read('deploy/docker/Dockerfile.dockerignore');
    for (const pattern of ['**/node_modules', '**/.env', 'deploy/mosquitto/passwd', 'deploy/mosquitto/certs', 'deploy/api/keys.json']) expect(ignore).toContain(pattern);
  });

  it('copies every workspace member\'s manifest before the install (pnpm --frozen-lockfile needs them all)', () => {
    const globs = (parse(read('pnpm-workspace.yaml')) as { packages: string[] }).packages;
    const members = globs.flatMap((glob) =>
      glob.endsWith('/*') ? readdirSync(join(ROOT, glob.slice(0, -2)), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${glob.slice(0, -2)}/${d.name}`) : [glob],
    );
    const manifests = members.filter((m) => existsSync(join(ROOT, m, 'package.json')));
    expect(manifests).toContain('packages/coaching');
    const install = dockerfile.indexOf('RUN pnpm install');
    for (const m of manifests) {
      const copy = dockerfile.indexOf(`COPY ${m}/package.json ${m}/`);
      expect(copy, `${m}/package.json is not copied before the install`).toBeGreaterThan(-1);
      expect(copy).toBeLessThan(install);
    }
  });

  it('health-checks every long-running service and starts them in order', () => {
    for (const name of ['mosquitto', 'influxdb', 'ingest', 'api', 'grafana']) expect(services[name]!.healthcheck?.test?.length, name).toBeGreaterThan(0);
    expect(services['ingest']!.environment!['HEALTHCHECK_URL']).toBe(`http://127.0.0.1:${services['ingest']!.environment!['INGEST_HTTP_PORT']}/readyz`);
    expect(services['api']!.environment!['HEALTHCHECK_URL']).toBe(`http://127.0.0.1:${services['api']!.environment!['API_PORT']}/healthz`);
    const healthy = { condition: 'service_healthy' };
    expect(services['ingest']!.depends_on).toEqual({ mosquitto: healthy, influxdb: healthy });
    expect(services['api']!.depends_on).toEqual({ mosquitto: healthy, influxdb: healthy });
    expect(services['sim']!.depends_on).toEqual({ ingest: healthy });
  });

  it('keeps the broker, database and service data on named volumes', () => {
    const mounts = (name: string): string[] => (services[name]!.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(mounts('mosquitto')).toContain('mosquitto-data:/mosquitto/data');
    expect(mounts('influxdb')).toContain('influxdb-data:/var/lib/influxdb2');
    expect(mounts('ingest')).toContain('ingest-data:/data');
    expect(mounts('api')).toContain('api-data:/data');
    expect(mounts('grafana')).toContain('grafana-data:/var/lib/grafana');
    for (const v of ['mosquitto-data', 'influxdb-data', 'ingest-data', 'api-data', 'grafana-data']) expect(compose.volumes).toHaveProperty(v);
  });

  it("mounts deploy/mosquitto read-only and runs the broker on its config, password file and ACL", () => {
    const mosquitto = services['mosquitto']!;
    expect(mosquitto.volumes).toContain('./deploy/mosquitto:/gaitwatch/mosquitto:ro');
    expect(mosquitto.command).toEqual(['/bin/sh', '/gaitwatch/mosquitto/start.sh']);
    expect(mosquitto.tmpfs).toEqual(['/mosquitto/run:mode=0700']);
    const start = read('deploy/mosquitto/start.sh');
    expect(start).toMatch(/^exec \/usr\/sbin\/mosquitto -c "\$src\/mosquitto\.conf"$/m);
    expect(start).toMatch(/^src=\/gaitwatch\/mosquitto$/m);
    expect(start).toMatch(/^run=\/mosquitto\/run$/m);
    expect(start).toContain('. "$src/copy-run-files.sh"');
    expect(read('deploy/mosquitto/copy-run-files.sh')).toContain('cp "$src/passwd" "$src/acl" "$run/"');
    const conf = read('deploy/mosquitto/mosquitto.conf');
    expect(conf).toMatch(/^password_file \/mosquitto\/run\/passwd$/m);
    expect(conf).toMatch(/^acl_file \/mosquitto\/run\/acl$/m);
    expect(conf).toMatch(/^persistence_location \/mosquitto\/data\/$/m);
    expect(conf).toMatch(/^include_dir \/gaitwatch\/mosquitto\/conf\.d$/m);
    for (const f of ['mosquitto.conf', 'acl', 'mosquitto-tls.conf', 'create-credentials.sh', 'create-certs.sh', 'start.sh', 'copy-run-files.sh', 'reload.sh']) expect(statSync(join(ROOT, 'deploy/mosquitto', f)).isFile()).toBe(true);
    // The API key file is mounted as a file that must exist (no directory silently made in its place).
    expect(services['api']!.volumes).toContainEqual({ type: 'bind', source: './deploy/api/keys.json', target: services['api']!.environment!['API_KEYS_FILE'], read_only: true, bind: { create_host_path: false } });
  });

  it('publishes plain-text ports to loopback only', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, p })));
    const plain = published.filter(({ p }) => !p.endsWith(':8883'));
    expect(plain.map(({ name, p }) => `${name} ${p}`).sort()).toEqual(['api 127.0.0.1:8080:8080', 'grafana 127.0.0.1:3000:3000', 'influxdb 127.0.0.1:8086:8086', 'mosquitto 127.0.0.1:1883:1883']);
    expect(services['ingest']!.ports).toBeUndefined();
    expect(services['mosquitto']!.ports).toContain('8883:8883');
  });
});

describe('the compose environments pass the services\' config schemas', () => {
  it('ingest: loadConfig accepts it, InfluxDB v2 over the compose network, checkpoint acks', () => {
    const config = loadConfig(services['ingest']!.environment!);
    expect(config.mqtt).toMatchObject({ url: 'mqtt://mosquitto:1883', username: 'ingest', clientId: 'gaitwatch-ingest' });
    expect(config.store).toEqual({ dataDir: '/data', influx: { url: 'http://influxdb:8086', api: 'v2', org: 'gaitwatch', bucket: 'gaitwatch', token: 'change-me' } });
    expect(config.ackMode).toBe('checkpoint');
    expect(config.httpHost).toBe('0.0.0.0');
  });

  it('api: loadApiConfig accepts it once create-credentials replaced the placeholders, listening on all interfaces inside the container', () => {
    const env = services['api']!.environment!;
    // The example's placeholder pepper is refused: a deployment that skipped create-credentials.sh does not start.
    expect(() => loadApiConfig(env)).toThrow(/API_KEY_PEPPER: must be at least 32 characters/);
    // create-credentials.sh writes 32 random alphanumerics in place of every change-me.
    const config = loadApiConfig({ ...env, API_KEY_PEPPER: 'A'.repeat(32) });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', keysFile: '/run/gaitwatch/api-keys.json', store: { dataDir: '/data', influx: { url: 'http://influxdb:8086', api: 'v2' } } });
    expect(env).toMatchObject({ MQTT_URL: 'mqtt://mosquitto:1883', MQTT_USERNAME: 'api' });
  });

  it('the sim publishes with the sim user as the athletes the ACL grants it', () => {
    const sim = services['sim']!;
    expect(sim.environment!['MQTT_USERNAME']).toBe('sim');
    const flag = (name: string): string | undefined => sim.command![sim.command!.indexOf(name) + 1];
    expect(sim.command![0]).toBe('simulate');
    expect(flag('--mqtt-url')).toBe('mqtt://mosquitto:1883');
    expect(flag('--duration')).toBe('30m');
    const acl = read('deploy/mosquitto/acl');
    for (let i = 0; i < Number(flag('--runners')); i++) expect(acl).toContain(`topic write gaitwatch/v1/sim-${flag('--seed')}-${i}/+/imu`);
  });

  it('every secret in deploy/.env.example is a change-me placeholder (create-credentials.sh replaces them)', () => {
    const vars = envExample();
    for (const name of Object.keys(vars).filter((n) => /PASSWORD|TOKEN|PEPPER/.test(n))) expect(vars[name], name).toBe('change-me');
  });
});

describe('deploy/mosquitto config', () => {
  const conf = read('deploy/mosquitto/mosquitto.conf');
  const setting = (name: string): string[] => [...conf.matchAll(new RegExp(`^${name}\\s+(.+)$`, 'gm'))].map((m) => m[1]!.trim());

  it('authenticates everyone and keeps what it queues', () => {
    expect(setting('allow_anonymous')).toEqual(['false']);
    expect(setting('per_listener_settings')).not.toContain('true');
    expect(setting('persistence')).toEqual(['true']);
  });

  it('queues more than the default 1000 QoS 1 messages per client and lets checkpoint acks be in flight', () => {
    const queued = setting('max_queued_messages').map(Number);
    expect(queued).toHaveLength(1);
    // 0 would mean unlimited: also fine for losing nothing, but the file sizes it.
    expect(queued[0]).toBeGreaterThan(1000);
    expect(setting('max_inflight_messages')).toEqual(['0']);
  });

  it('denies by default: no anonymous section, no wildcard grant to devices, service rules only under their users', () => {
    const rules = read('deploy/mosquitto/acl')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    // Lines before the first `user` line apply to anonymous clients: only pattern rules may be there.
    const firstUser = rules.findIndex((l) => l.startsWith('user '));
    expect(rules.slice(0, firstUser).every((l) => l.startsWith('pattern '))).toBe(true);
    for (const rule of rules) {
      const m = /^(pattern|topic)\s+(?:(read|write|readwrite|deny)\s+)?(\S+)$/.exec(rule);
      if (rule.startsWith('user ')) continue;
      expect(m, rule).not.toBeNull();
      const [, kind, , topic] = m!;
      expect(topic, rule).not.toMatch(/^#$|^\+\/|^gaitwatch\/#$|^gaitwatch\/v1\/#$/);
      // Every pattern (they apply to all users) is bound to the user's own athlete id.
      if (kind === 'pattern') expect(topic, rule).toMatch(/^gaitwatch\/v1\/%u\/\+\/(imu|status|alerts|live)$/);
    }
  });
});
