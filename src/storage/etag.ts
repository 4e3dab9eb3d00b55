/** S3 lists and returns ETags in quotes; some stores (Ceph after a multipart upload) return none at all. */
export function cleanEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/"/g, '');
}
