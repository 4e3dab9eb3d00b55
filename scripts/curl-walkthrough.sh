#!/usr/bin/env bash
# The README's upload walkthrough ("Upload walkthrough with curl"), steps 1 to 4, for any file:
# declare -> PUT (with the declared Content-Type) -> confirm -> fetch the delivery URL.
# Usage: bash scripts/curl-walkthrough.sh FILE [NAMESPACE] [MIME]   (service from `npm run dev`; needs curl and jq)
# API and TOKEN may come from the environment; each run declares a new upload (a new idempotency key).
set -euo pipefail
FILE=${1:?usage: curl-walkthrough.sh FILE [NAMESPACE] [MIME]}; NS=${2:-group-assets}; MIME=${3:-image/png}
API=${API:-http://localhost:8083/graphql}
TOKEN=${TOKEN:-$(npm run --silent token)}
KEY=walkthrough-$(date +%s)-$RANDOM$RANDOM

# --- README.md from here on, line for line (test/integration/curl-walkthrough.test.ts checks it) ---
SIZE=$(stat -c %s "$FILE"); SHA=$(sha256sum "$FILE" | cut -d' ' -f1)
gql() { curl -s "$API" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$1"; }

# 1. Declare the upload: namespace, name, type, exact size, optional idempotency key.
CREATED=$(gql "$(jq -n --arg ns "$NS" --arg name "$(basename "$FILE")" --arg mime "$MIME" --argjson size "$SIZE" --arg key "$KEY" '{
  query: "mutation($i: CreateAssetUploadInput!) { createAssetUpload(input: $i) { id status uploadUrl uploadExpiresAt } }",
  variables: {i: {namespace: $ns, filename: $name, mimeType: $mime, sizeBytes: $size, idempotencyKey: $key}}}')")
echo "$CREATED" | jq .
ID=$(echo "$CREATED" | jq -r .data.createAssetUpload.id)
UPLOAD_URL=$(echo "$CREATED" | jq -r .data.createAssetUpload.uploadUrl)

# 2. PUT the bytes to uploadUrl with the declared Content-Type (type and length are signed into the URL:
#    storage refuses another type or another length; dev mode's S3 server checks no signatures, and
#    confirm then fails the upload instead).
curl -s -o /dev/null -w 'PUT %{http_code}\n' -X PUT --data-binary @"$FILE" -H "Content-Type: $MIME" "$UPLOAD_URL"

# 3. Confirm, with the file's SHA-256 (optional): the service checks size, type, checksum and content -> READY.
gql "$(jq -n --arg id "$ID" --arg sha "$SHA" '{
  query: "mutation($id: ID!, $sha: String) { confirmAssetUpload(input: {assetId: $id, checksum: $sha}) { status checksum failureReason } }",
  variables: {id: $id, sha: $sha}}')" | jq .

# 4. Deliver: publicUrl (PUBLIC namespaces; anyone can GET it) or downloadUrl (PRIVATE; presigned, expires).
LINK=$(gql "$(jq -n --arg id "$ID" '{query: "query($id: ID!) { asset(id: $id) { status publicUrl downloadUrl(ttlSeconds: 300) } }",
  variables: {id: $id}}')" | jq -r '.data.asset.publicUrl // .data.asset.downloadUrl')
echo "$LINK"; echo "declared $SHA"; curl -s "$LINK" | sha256sum   # the same hash: the bytes uploaded
