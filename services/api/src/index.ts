// Public surface of @gaitwatch/api (services/api/README.md).
export { buildApp, type ApiApp, type BuildAppOptions } from './app.ts';
export { startApi, type RunningApi } from './server.ts';
export { loadApiConfig, ApiConfigError, type ApiConfig } from './config.ts';
export { KeyRing, KeyFileError, KeyFileSchema, generateApiKey, hashApiKey, pepperCheck, pepperProblem, type KeyEntry, type KeyFile } from './auth/keys.ts';
export { canSeeAthlete, visibleAthletes, ROLES, type Principal, type Role } from './auth/principal.ts';
export { principalFromClaims, type JwtOptions } from './auth/jwt.ts';
export { API_ERRORS, ApiError, type ApiErrorCode, type ErrorBody, type ErrorDetail } from './errors.ts';
export { STRIDE_COLUMNS, exportManifest, type ExportManifest } from './export-manifest.ts';
export { ApiMetrics } from './metrics.ts';
export { LiveHub, type LiveEvent, type LiveEventType, type LiveReset } from './live/live-hub.ts';
export { connectLiveFeed, type LiveFeed, type LiveFeedConfig } from './live/mqtt-feed.ts';
/** What `app.inject()` resolves to, for tests that wrap it. */
export type { LightMyRequestResponse as InjectResponse } from 'fastify';
