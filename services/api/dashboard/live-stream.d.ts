// Types of live-stream.js for the TypeScript tests that import it (not served).
export interface LiveStatus {
  state: 'connecting' | 'live' | 'waiting' | 'stopped';
  retryInMs?: number;
  detail?: string;
}
export function openLiveStream(options: {
  token: () => string | null;
  query?: string;
  onEvent: (type: string, data: unknown, id: string) => void;
  onStatus?: (status: LiveStatus) => void;
  onUnauthorized?: () => void;
  fetchImpl?: (url: string, init: { headers: Record<string, string>; cache: string; signal: AbortSignal }) => Promise<Response>;
}): { close(): void; readonly lastEventId: string };
