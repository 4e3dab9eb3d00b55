import { asList, isEveryone, type Statement } from './public-read-policy.js';

/**
 * Every canned ACL but `private`. Upload URLs sign only content-length, content-type and host, so a
 * client can add an unsigned `x-amz-acl` header to the PUT, and stores with object ACLs (Ceph RGW, S3
 * without "bucket owner enforced") apply it: `public-read` makes the unchecked upload readable by anyone.
 * Listed, not negated: a negated operator (StringNotEquals, also ...IfExists) is true when the header
 * is absent, on S3 and on Ceph alike, so it would refuse every plain upload.
 */
const NON_PRIVATE_CANNED_ACLS = ['public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control', 'log-delivery-write'];

/** The grant headers, each of which can give AllUsers access to the object it comes with. */
const GRANT_HEADERS = ['x-amz-grant-read', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control'];

type Condition = Record<string, Record<string, string | string[]>>;
type PolicyStatement = Statement & { Sid: string; Condition?: Condition };

const pascal = (header: string) => header.replace(/^x-amz-/, '').split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('').replace('Acp', 'ACP');

/**
 * The statements that keep the private bucket's objects private whatever a PUT carries: a PutObject
 * with a canned ACL other than private, or with any grant header, is refused, and so is every change
 * of an object's ACL. Plain PUTs (presigned uploads without those headers), CopyObject and DeleteObject
 * are untouched.
 */
function objectAclStatements(bucket: string): PolicyStatement[] {
  const objects = [`arn:aws:s3:::${bucket}/*`];
  const deny = (Sid: string, Action: string[], Condition?: Condition): PolicyStatement => ({ Sid, Effect: 'Deny', Principal: '*', Action, Resource: objects, ...(Condition ? { Condition } : {}) });
  return [
    deny('DenyCannedAclOnPut', ['s3:PutObject'], { StringEquals: { 's3:x-amz-acl': NON_PRIVATE_CANNED_ACLS } }),
    // One statement per header: keys within one condition must all match, these must each refuse alone.
    ...GRANT_HEADERS.map((header) => deny(`Deny${pascal(header)}OnPut`, ['s3:PutObject'], { StringLike: { [`s3:${header}`]: '*' } })),
    deny('DenyObjectAclChanges', ['s3:PutObjectAcl', 's3:PutObjectVersionAcl']),
  ];
}

const OUR_SIDS = new Set(objectAclStatements('b').map((s) => s.Sid));

/** A statement's meaning, whatever way storage spells it back: lists sorted, single values as lists, condition keys in lower case. */
function meaning(s: Statement & { Condition?: Condition }): string {
  const sorted = (v: string | string[] | undefined) => asList(v).slice().sort();
  const condition = Object.entries(s.Condition ?? {})
    .map(([op, keys]) => [op, Object.entries(keys).map(([k, v]) => [k.toLowerCase(), sorted(v)]).sort()])
    .sort();
  return JSON.stringify([s.Effect, isEveryone(s.Principal), sorted(s.Action), sorted(s.Resource), condition]);
}

/** True when the policy already holds every one of the statements (by meaning, not by Sid). */
export function deniesObjectAcls(policy: string | undefined, bucket: string): boolean {
  if (!policy) return false;
  const present = new Set(asList((JSON.parse(policy) as { Statement?: Statement | Statement[] }).Statement).map(meaning));
  return objectAclStatements(bucket).every((s) => present.has(meaning(s)));
}

/** Adds the statements to whatever policy the bucket has (replacing an older version of ours), so an operator's own statements survive. */
export function withObjectAclDenials(policy: string | undefined, bucket: string): string {
  const parsed = policy ? (JSON.parse(policy) as { Version?: string; Statement?: Statement | Statement[] }) : {};
  const others = asList(parsed.Statement).filter((s) => !OUR_SIDS.has((s as { Sid?: string }).Sid ?? ''));
  return JSON.stringify({ Version: '2012-10-17', ...parsed, Statement: [...others, ...objectAclStatements(bucket)] });
}
