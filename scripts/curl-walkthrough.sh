#!/usr/bin/env bash
# The README's upload walkthrough as a script: create -> PUT (with the signed headers) -> confirm -> fetch.
# Usage: bash scripts/curl-walkthrough.sh FILE [NAMESPACE] [MIME]   (service from `npm run dev`; needs curl and jq)
set -euo pipefail
FILE=${1:?usage: curl-walkthrough.sh FILE [NAMESPACE] [MIME]}; NS=${2:-group-assets}; MIME=${3:-image/png}
API=${API:-http://localhost:8083/graphql}
TOKEN=${TOKEN:-$(npm run --silent token)}
SIZE=$(stat -c %s "$FILE"); SHA=$(sha256sum "$FILE" | cut -d' ' -f1)
gql() { curl -s "$API" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$1"; }
CREATED=$(gql "$(jq -n --arg sha "$SHA" --argjson size "$SIZE" --arg ns "$NS" --arg mime "$MIME" --arg name "$(basename "$FILE")" '{query: "mutation($i: CreateAssetUploadInput!) { createAssetUpload(input: $i) { id uploadUrl uploadHeaders { name value } } }", variables: {i: {namespace: $ns, filename: $name, mimeType: $mime, sizeBytes: $size, checksum: $sha}}}')")
echo "$CREATED" | jq -c .
ID=$(echo "$CREATED" | jq -r .data.createAssetUpload.id)
URL=$(echo "$CREATED" | jq -r .data.createAssetUpload.uploadUrl)
HEADERS=(); while IFS= read -r h; do HEADERS+=(-H "$h"); done < <(echo "$CREATED" | jq -r '.data.createAssetUpload.uploadHeaders[] | "\(.name): \(.value)"')
curl -s -o /dev/null -w "PUT %{http_code}\n" -X PUT --data-binary @"$FILE" "${HEADERS[@]}" "$URL"
gql "$(jq -n --arg id "$ID" '{query: "mutation($id: ID!) { confirmAssetUpload(input: {assetId: $id}) { status checksum failureReason } }", variables: {id: $id}}')" | jq -c .
# publicUrl for PUBLIC namespaces, a presigned downloadUrl for PRIVATE ones.
LINK=$(gql "$(jq -n --arg id "$ID" '{query: "query($id: ID!) { asset(id: $id) { publicUrl downloadUrl(ttlSeconds: 300) } }", variables: {id: $id}}')" | jq -r '.data.asset.publicUrl // .data.asset.downloadUrl')
echo "delivery URL: $LINK"
echo "sha256 served: $(curl -s "$LINK" | sha256sum | cut -d' ' -f1) (declared $SHA)"
