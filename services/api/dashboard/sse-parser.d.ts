// Types of sse-parser.js for the TypeScript tests that import it (not served).
export interface SseState {
  readonly partial: string;
  readonly pendingCr: boolean;
  readonly started: boolean;
  readonly eventType: string;
  readonly data: string;
  readonly hasData: boolean;
  readonly lastEventId: string;
}
export type SseItem = { kind: 'event'; event: string; data: string; id: string } | { kind: 'retry'; ms: number } | { kind: 'comment'; text: string };
export function initialSseState(): SseState;
export function parseSseChunk(previous: SseState, chunk: string): { state: SseState; items: SseItem[] };
export function parseSse(chunks: Iterable<string>): { state: SseState; items: SseItem[] };
