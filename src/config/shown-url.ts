/**
 * A URL as messages and logs may show it: user info and query, where a URL kept in a secret store (as
 * JWT_JWKS_URL is, in Vault) may carry credentials, are left out. Anything that is no URL, or has
 * neither, is shown as it is.
 */
export function shownUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (!url.username && !url.password && !url.search) return value;
  return `${url.protocol}//${url.username || url.password ? '…@' : ''}${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}

/** Whether a URL names a user or password (user:password@host). */
export function hasUserInfo(value: string): boolean {
  return URL.canParse(value) && (new URL(value).username !== '' || new URL(value).password !== '');
}
