/**
 * A URL as messages and logs may show it: user info and query, where a URL kept in a secret store (as
 * JWT_JWKS_URL is, in Vault) may carry credentials, are left out. Otherwise the value's own text is
 * kept (a parser would normalise it, or invent a scheme for "host:port").
 */
export function shownUrl(value: string): string {
  if (!URL.canParse(value)) {
    // Not a URL, or a broken one: whatever stands before its last @ may be a password.
    return withoutQuery(value.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/i, '$1…@'));
  }
  const url = new URL(value);
  if (!url.username && !url.password) return withoutQuery(value);
  return `${url.protocol}//…@${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}

/** Whether a URL names a user or password (user:password@host). */
export function hasUserInfo(value: string): boolean {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url !== undefined && (url.username !== '' || url.password !== '');
}

function withoutQuery(value: string): string {
  const query = value.indexOf('?');
  return query < 0 ? value : `${value.slice(0, query)}?…`;
}
