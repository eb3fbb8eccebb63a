// Types of sensor-words.js for the TypeScript tests that import it (not served).
export function calibrationWords(sensorId: string, sensor: unknown, startUs: number | null): string;
