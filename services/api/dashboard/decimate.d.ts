// Types of decimate.js for the TypeScript tests that import it (not served).
export function decimate(data: (number | null)[][], columns: number): (number | null)[][];
