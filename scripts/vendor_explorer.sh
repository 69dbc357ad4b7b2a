#!/usr/bin/env bash
# Refresh the GraphiQL explorer served from the package: government intranets have no internet,
# so the page must load nothing from a CDN. Takes the pinned builds from the npm registry.
set -euo pipefail
dest="$(cd "$(dirname "$0")/.." && pwd)/gateway/http/static/explorer"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent graphiql@3.8.3 react@18.3.1 react-dom@18.3.1 >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
cp graphiql-3.8.3/package/graphiql.min.js graphiql-3.8.3/package/graphiql.min.css "$dest/"
cp react-18.3.1/package/umd/react.production.min.js react-dom-18.3.1/package/umd/react-dom.production.min.js "$dest/"
{ cat graphiql-3.8.3/package/LICENSE; echo "----- react, react-dom -----"; cat react-18.3.1/package/LICENSE; } > "$dest/LICENSES.txt"
