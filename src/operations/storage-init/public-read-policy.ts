/** The bucket policy that lets anyone GET the public bucket's objects (but not list or write them). */
export function publicReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }],
  });
}

export interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
}

/**
 * True when a policy lets anonymous callers read every object of the bucket, however the store
 * spelled it back (Principal "*" or {"AWS": "*"}, single values or lists, s3:* or s3:GetObject).
 */
export function grantsAnonymousRead(policy: string | undefined, bucket: string): boolean {
  if (!policy) return false;
  const statements = asList<Statement>((JSON.parse(policy) as { Statement?: Statement | Statement[] }).Statement);
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      isEveryone(s.Principal) &&
      asList(s.Action).some((a) => a === 's3:GetObject' || a === 's3:*') &&
      asList(s.Resource).some((r) => r === `arn:aws:s3:::${bucket}/*`),
  );
}

export function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: string | string[] } | undefined)?.AWS;
  return asList(aws).includes('*');
}

export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Adds the public-read statement to whatever policy the bucket has, so an operator's own statements survive. */
export function withPublicRead(policy: string | undefined, bucket: string): string {
  if (!policy) return publicReadPolicy(bucket);
  const parsed = JSON.parse(policy) as { Statement?: Statement | Statement[] };
  const ours = (JSON.parse(publicReadPolicy(bucket)) as { Statement: Statement[] }).Statement;
  return JSON.stringify({ ...parsed, Statement: [...asList(parsed.Statement), ...ours] });
}
