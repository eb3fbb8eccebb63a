/**
 * `x` rounded to the nearest 1/`per` (per = 100: two decimals), never −0.
 *
 * Why not plain `Math.round(x * per) / per`: a value just below zero rounds to
 * −0, and JSON writes −0 as `0`; an event the analysis hands over in memory
 * would then differ from the same event stored, published or printed by
 * `analyze` (`Object.is(-0, 0)` is false and deep equality sees it). Adding +0
 * turns −0 into +0 and changes nothing else.
 */
export function roundTo(x: number, per: number): number {
  return Math.round(x * per) / per + 0;
}
