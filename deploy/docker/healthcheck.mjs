// Docker HEALTHCHECK of the gaitwatch image: exit 0 when HEALTHCHECK_URL (default
// the API's /healthz) answers 2xx within 3 s, else 1. No dependencies: Node's fetch.
const url = process.env.HEALTHCHECK_URL ?? 'http://127.0.0.1:8080/healthz';
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
