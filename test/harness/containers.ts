// Testcontainers fallback for machines with a Docker engine but without the
// Debian binaries. Loaded lazily: testcontainers is heavy and most runs here use binaries.
import type { MosquittoOptions, RunningService, ServiceKind } from './types.ts';

const DOCKER_PROBE_TIMEOUT_MS = 5_000;

export async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('docker probe timed out')), DOCKER_PROBE_TIMEOUT_MS)),
    ]);
    return true;
  } catch {
    return false;
  }
}

const INFLUX2 = { org: 'gaitwatch', bucket: 'gaitwatch_test', token: 'test-only-token-not-a-secret', user: 'gaitwatch', password: 'test-only-password' };

export async function startContainer(kind: ServiceKind, options: MosquittoOptions = {}): Promise<RunningService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const stopped = async (c: { stop(): Promise<unknown> }): Promise<void> => {
    await c.stop();
  };
  switch (kind) {
    case 'mosquitto': {
      const conf = ['listener 1883 0.0.0.0', `allow_anonymous ${options.allowAnonymous ?? true}`, 'persistence false', ...(options.configLines ?? [])]
        .map((line) => line.replaceAll('{dir}', '/mosquitto/config'))
        .join('\n');
      const files = Object.entries(options.files ?? {}).map(([name, content]) => ({ content, target: `/mosquitto/config/${name}` }));
      const c = await new GenericContainer('eclipse-mosquitto:2')
        .withCopyContentToContainer([{ content: `${conf}\n`, target: '/mosquitto/config/mosquitto.conf' }, ...files])
        .withExposedPorts(1883)
        .withWaitStrategy(Wait.forListeningPorts())
        .start();
      const port = c.getMappedPort(1883);
      return { kind, mode: 'container', url: `mqtt://${c.getHost()}:${port}`, port, dir: '/mosquitto/config', stop: () => stopped(c) };
    }
    case 'influxdb': {
      const c = await new GenericContainer('influxdb:2.7')
        .withEnvironment({
          DOCKER_INFLUXDB_INIT_MODE: 'setup',
          DOCKER_INFLUXDB_INIT_USERNAME: INFLUX2.user,
          DOCKER_INFLUXDB_INIT_PASSWORD: INFLUX2.password,
          DOCKER_INFLUXDB_INIT_ORG: INFLUX2.org,
          DOCKER_INFLUXDB_INIT_BUCKET: INFLUX2.bucket,
          DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: INFLUX2.token,
        })
        .withExposedPorts(8086)
        .withWaitStrategy(Wait.forHttp('/ping', 8086).forStatusCode(204))
        .start();
      const port = c.getMappedPort(8086);
      return {
        kind,
        mode: 'container',
        url: `http://${c.getHost()}:${port}`,
        port,
        dir: '/var/lib/influxdb2',
        database: INFLUX2.bucket,
        org: INFLUX2.org,
        token: INFLUX2.token,
        stop: () => stopped(c),
      };
    }
    case 'victoriametrics': {
      const c = await new GenericContainer('victoriametrics/victoria-metrics:v1.93.0')
        .withExposedPorts(8428)
        .withWaitStrategy(Wait.forHttp('/health', 8428))
        .start();
      const port = c.getMappedPort(8428);
      return { kind, mode: 'container', url: `http://${c.getHost()}:${port}`, port, dir: '/victoria-metrics-data', stop: () => stopped(c) };
    }
  }
}
