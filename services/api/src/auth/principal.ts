/** Who is calling, after the API key was checked (DESIGN.md "API roles"). */
export type Role = 'runner' | 'coach' | 'researcher' | 'admin';
export const ROLES: readonly Role[] = ['runner', 'coach', 'researcher', 'admin'];

export type Principal =
  | { readonly id: string; readonly role: 'runner'; readonly athleteId: string }
  | { readonly id: string; readonly role: 'coach'; readonly athleteIds: readonly string[] }
  | { readonly id: string; readonly role: 'researcher'; readonly identified?: boolean }
  | { readonly id: string; readonly role: 'admin' };

/** Researchers see athletes under pseudonyms in exports unless an admin granted `identified` on their key. */
export function seesPseudonyms(principal: Principal): boolean {
  return principal.role === 'researcher' && principal.identified !== true;
}

/** The athletes a principal may read: a list, or every athlete. */
export function visibleAthletes(principal: Principal): readonly string[] | 'all' {
  switch (principal.role) {
    case 'runner':
      return [principal.athleteId];
    case 'coach':
      return principal.athleteIds;
    case 'researcher':
    case 'admin':
      return 'all';
  }
}

export function canSeeAthlete(principal: Principal, athleteId: string): boolean {
  const visible = visibleAthletes(principal);
  return visible === 'all' || visible.includes(athleteId);
}

/**
 * The athlete filter to hand the store: the requested athletes if the
 * principal may see every one of them (else `forbidden`), or, with no
 * request, everything the principal may see (`undefined` = all athletes).
 */
export function athleteFilter(principal: Principal, requested: readonly string[] | undefined): { athletes: readonly string[] | undefined } | 'forbidden' {
  const visible = visibleAthletes(principal);
  if (requested === undefined || requested.length === 0) return { athletes: visible === 'all' ? undefined : visible };
  if (visible !== 'all' && requested.some((id) => !visible.includes(id))) return 'forbidden';
  return { athletes: requested };
}
