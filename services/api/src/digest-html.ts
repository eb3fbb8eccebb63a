/**
 * The coach digest as a page a coach can read and print (or save as PDF):
 * no script, one stylesheet from this origin (dashboard/digest.css, with
 * print rules), every value escaped.
 */
import type { AthleteDigestView, CoachDigest } from './routes/coaching.ts';

/** The page runs nothing and loads only its stylesheet. */
export const DIGEST_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const km = (m: number | null): string => (m === null ? '–' : `${(m / 1000).toFixed(1)} km`);
const LIGHT_WORDS = { green: 'on track', amber: 'look at this', red: 'act on this' } as const;
const day = (us: number): string => new Date(us / 1000).toISOString().slice(0, 10);

function athleteSection(a: AthleteDigestView): string {
  const w = a.week;
  const load =
    w === null
      ? '<p>No sessions yet.</p>'
      : `<p>Week ${esc(w.week)} (from ${esc(w.monday)}): ${w.sessions} session${w.sessions === 1 ? '' : 's'}, ${km(w.distanceM)}${w.estimatedDistanceM > 0 ? ` (${km(w.estimatedDistanceM)} estimated)` : ''}, ${Math.round(w.durationS / 60)} min${
          w.plannedDistanceM === null ? '' : ` — plan ${km(w.plannedDistanceM)} (week ${w.planWeek}), ${esc((w.planStatus ?? '').replace('_', ' '))}`
        }${w.acwr === null ? '' : `; acute:chronic ${w.acwr.toFixed(2)}`}.</p>`;
  const reasons = a.reasons.length === 0 ? '' : `<ul class="reasons">${a.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`;
  const sessions =
    a.sessionsWithAlerts.length === 0
      ? '<p>No run raised an alert this week.</p>'
      : `<ul>${a.sessionsWithAlerts.map((s) => `<li>${esc(s.sessionId)} (${day(s.startUs)}${s.running === true ? ', still running' : ''}): ${Object.entries(s.alerts).map(([type, n]) => `${n} ${esc(type.replace(/_/g, ' '))}`).join(', ')}</li>`).join('')}</ul>`;
  return `<section class="athlete light-${a.light}" data-athlete="${esc(a.athleteId)}" data-light="${a.light}">
<h2><span class="light" aria-hidden="true"></span>${esc(a.displayName ?? a.athleteId)} <small>${esc(a.athleteId)} · ${LIGHT_WORDS[a.light]}</small></h2>
${reasons}<h3>Load</h3>${load}
<h3>Form-breakdown onset</h3><p>Left: ${esc(a.onset.left)}</p><p>Right: ${esc(a.onset.right)}</p>
<h3>Peak pelvic drop</h3><p>Left: ${esc(a.pelvicDrop.left)}</p><p>Right: ${esc(a.pelvicDrop.right)}</p>
<h3>Sessions with alerts</h3>${sessions}
</section>`;
}

export function digestHtml(d: CoachDigest): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
<title>gaitwatch weekly digest · ${esc(d.coachId)}</title><link rel="stylesheet" href="/dashboard/digest.css"></head>
<body class="digest"><header><h1>Weekly digest for ${esc(d.coachId)}</h1><p>The week holding ${day(d.atUs)}, each athlete in their own time zone · ${d.athletes.length} athlete${d.athletes.length === 1 ? '' : 's'}</p></header>
<main>${d.athletes.length === 0 ? '<p>No athletes on this roster.</p>' : d.athletes.map(athleteSection).join('\n')}</main></body></html>
`;
}
