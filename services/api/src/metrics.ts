import type { GaitStore } from '@gaitwatch/storage';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The API's Prometheus metrics on a registry of its own (not prom-client's
 * global one), so two apps in one process — tests, `gaitwatch start` — do
 * not collide. Names are documented in the README.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'gaitwatch_api_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'gaitwatch_api_request_duration_seconds',
    help: 'Time to answer a request (for exports: until the response started streaming)',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({ name: 'gaitwatch_api_auth_failures_total', help: 'Requests refused with 401 or 403, by code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly liveRejected = new Counter({ name: 'gaitwatch_api_live_rejected_total', help: 'Broker messages left out of the live stream, by reason (topic, json, *_schema, ids_mismatch)', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly liveFeedConnected = new Gauge({ name: 'gaitwatch_api_live_feed_connected', help: '1 while the live feed is connected to the broker', registers: [this.registry] });
  readonly liveStreams = new Gauge({ name: 'gaitwatch_api_live_streams', help: 'Open server-sent-event streams', registers: [this.registry] });
  readonly liveDropped = new Counter({ name: 'gaitwatch_api_live_slow_clients_total', help: 'Live streams closed because the client read too slowly (it resumes with Last-Event-ID)', registers: [this.registry] });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: 'gaitwatch_api_' });
  }

  watchStore(store: GaitStore): void {
    new Gauge({ name: 'gaitwatch_api_store_accepting', help: '1 while the store accepts writes (readiness)', registers: [this.registry], collect() { this.set(store.accepting ? 1 : 0); } });
  }
}
