/**
 * What the page knows live: the running sessions with their stances so far
 * (loaded from REST, then grown by the live stream), today's alerts, and
 * each session's alerts. REST and stream overlap safely: a session's
 * stances that arrive while its history loads wait in `pending`, and the
 * series drops duplicates. Views listen for `change` events; a movement
 * screen's reps pass through as `rep` events (the views that show them keep
 * them), and each session's reps seen on the stream are kept here too: a rep
 * is published live before ingest's store has it, so a view opened in
 * between would find it neither in REST nor on the stream after it.
 */
import { alertId, isForm } from './alerts.js';
import { sessionKey, todayStartUs } from './format.js';
import { StanceSeries } from './stance-series.js';

const FEED_MAX = 200;
const PENDING_MAX = 12_000;
/** Reps kept per session from the stream (a screen is a few dozen). */
const REPS_MAX = 1_000;


export class LiveState extends EventTarget {
  /** @param {ReturnType<typeof import('./api.js').createApi>} api @param {(error: unknown) => void} onError */
  constructor(api, onError) {
    super();
    this.api = api;
    this.onError = onError;
    /** @type {Map<string, any>} */
    this.sessions = new Map();
    /** Today's alerts and every live one, newest first. @type {any[]} */
    this.feed = [];
    this.feedIds = new Set();
    /** Alerts per session key, oldest first. @type {Map<string, any[]>} */
    this.sessionAlerts = new Map();
    /** Reps seen on the stream per session key, in arrival order. @type {Map<string, any[]>} */
    this.sessionReps = new Map();
    this.loaded = false;
    /** Who signed in (`GET /v1/me`), once loaded. @type {{ id: string, role: string } | null} */
    this.me = null;
  }

  /** May the signed-in key acknowledge alerts (coach, admin)? */
  get canAcknowledge() {
    return this.me !== null && (this.me.role === 'coach' || this.me.role === 'admin');
  }

  /**
   * Acknowledges a raised alert; the alert then carries its ack (the first
   * one, should someone else have been quicker) and the feed shows it.
   * @param {any} alert
   */
  async acknowledge(alert) {
    const result = await this.api.acknowledge(alert);
    alert.ack = result.alert.ack;
    this.changed('alert', sessionKey(alert.athleteId, alert.sessionId));
  }

  /** @param {string} what @param {string} [key] */
  changed(what, key) {
    this.dispatchEvent(new CustomEvent('change', { detail: { what, key } }));
  }

  /** Loads (or reloads, after a stream `reset`) running sessions and today's alerts from REST. */
  async load() {
    const [running, alerts, me] = await Promise.all([this.api.sessions({ status: 'running' }), this.api.alerts({ from: todayStartUs(), order: 'desc' }, 2), this.api.me()]);
    this.me = me;
    for (const alert of [...alerts].reverse()) this.addAlert(alert, false);
    for (const s of running) this.ensureSession(s.athleteId, s.sessionId, s);
    // Sessions already shown get their missed stances again (duplicates are dropped).
    await Promise.all(running.map((s) => this.backfill(this.sessions.get(sessionKey(s.athleteId, s.sessionId)))));
    this.loaded = true;
    this.changed('loaded');
  }

  /**
   * The entry of a session, made (and its history loaded) on first sight.
   * @param {string} athleteId @param {string} sessionId @param {any} [record] the REST session record, when known
   */
  ensureSession(athleteId, sessionId, record) {
    const key = sessionKey(athleteId, sessionId);
    let entry = this.sessions.get(key);
    if (entry !== undefined) {
      if (record) Object.assign(entry, { status: record.status, summary: record.summary ?? entry.summary, endUs: record.endUs ?? null });
      return entry;
    }
    entry = { key, athleteId, sessionId, startUs: record?.startUs ?? null, endUs: record?.endUs ?? null, status: record?.status ?? 'running', summary: record?.summary ?? {}, series: null, loading: true, pending: [] };
    this.sessions.set(key, entry);
    if (record === undefined) {
      // Seen first on the stream: fetch the record, then the history.
      this.api
        .session(athleteId, sessionId)
        .then((full) => {
          Object.assign(entry, { startUs: full.startUs, endUs: full.endUs, status: full.status, summary: full.summary ?? {} });
          return this.backfill(entry);
        })
        .catch(this.onError);
    }
    this.changed('session', key);
    return entry;
  }

  /** Loads a session's stances so far, then applies what the stream delivered meanwhile. */
  async backfill(entry) {
    if (entry === undefined || entry.startUs === null) return;
    entry.loading = true;
    try {
      const pages = await this.api.strideColumns(entry.athleteId, entry.sessionId);
      entry.series ??= new StanceSeries(entry.startUs);
      for (const page of pages) entry.series.addColumns(page);
    } finally {
      entry.series ??= new StanceSeries(entry.startUs);
      for (const s of entry.pending) entry.series.add(s);
      entry.pending = [];
      entry.loading = false;
      this.changed('strides', entry.key);
    }
  }

  /** @param {any} alert @param {boolean} [notify] */
  addAlert(alert, notify = true) {
    const id = alertId(alert);
    if (this.feedIds.has(id)) return false;
    this.feedIds.add(id);
    this.feed.unshift(alert);
    this.feed.sort((a, b) => b.tUs - a.tUs);
    if (this.feed.length > FEED_MAX) this.feed.length = FEED_MAX;
    const key = sessionKey(alert.athleteId, alert.sessionId);
    const list = this.sessionAlerts.get(key) ?? [];
    list.push(alert);
    list.sort((a, b) => a.tUs - b.tUs);
    this.sessionAlerts.set(key, list);
    if (notify) this.dispatchEvent(new CustomEvent('alert', { detail: alert }));
    return true;
  }

  /** @param {string} key */
  alertsOf(key) {
    return this.sessionAlerts.get(key) ?? [];
  }

  /** A session's reps seen on the stream so far (duplicates included: the views' logs drop them). @param {string} key */
  repsOf(key) {
    return this.sessionReps.get(key) ?? [];
  }

  /** One event from the live stream. @param {string} type @param {any} data */
  handle(type, data) {
    switch (type) {
      case 'stride': {
        if (typeof data?.athleteId !== 'string' || typeof data?.sessionId !== 'string') return;
        const entry = this.ensureSession(data.athleteId, data.sessionId);
        if (entry.loading || entry.series === null) {
          entry.pending.push(data);
          // Bounded even if the history never loads (an hour of stances).
          if (entry.pending.length > PENDING_MAX) entry.pending.shift();
        }
        else if (entry.series.add(data)) this.changed('strides', entry.key);
        // For views that keep their own series (a running session's review).
        this.dispatchEvent(new CustomEvent('stride', { detail: data }));
        return;
      }
      case 'rep': {
        // A movement screen's rep (issue 17): the views that show screens keep their own reps.
        if (typeof data?.athleteId !== 'string' || typeof data?.sessionId !== 'string') return;
        const entry = this.ensureSession(data.athleteId, data.sessionId);
        const reps = this.sessionReps.get(entry.key) ?? [];
        reps.push(data);
        if (reps.length > REPS_MAX) reps.shift();
        this.sessionReps.set(entry.key, reps);
        this.dispatchEvent(new CustomEvent('rep', { detail: data }));
        return;
      }
      case 'alert':
        if (typeof data?.athleteId !== 'string') return;
        if (this.addAlert(data)) this.changed(isForm(data) ? 'form-alert' : 'alert', sessionKey(data.athleteId, data.sessionId));
        return;
      case 'session': {
        if (typeof data?.athleteId !== 'string' || typeof data?.sessionId !== 'string') return;
        const entry = this.ensureSession(data.athleteId, data.sessionId);
        if (data.state === 'start') entry.status = 'running';
        else if (data.state === 'stop' || data.state === 'lost') entry.status = data.state === 'lost' ? 'lost' : 'ended';
        this.changed('session', entry.key);
        return;
      }
      case 'reset':
        // The server could not resume us: what we missed comes from REST.
        this.load().catch(this.onError);
        return;
      default:
        // `ready` and future event types need nothing here.
        return;
    }
  }
}
