/**
 * The settings that scope accepted tokens to this service, of those left unset. Without them any token
 * the issuer's keys signed is accepted, also one issued for another service.
 */
export function unsetTokenScope(issuer: string | undefined, audience: string | undefined): ('JWT_ISSUER' | 'JWT_AUDIENCE')[] {
  const unset: ('JWT_ISSUER' | 'JWT_AUDIENCE')[] = [];
  if (!issuer) unset.push('JWT_ISSUER');
  if (!audience) unset.push('JWT_AUDIENCE');
  return unset;
}
