#!/bin/sh
# Refresh the vendored YASGUI files from npm.
#   src/afkg/publish/site/static/vendor/refresh.sh [VERSION]
# Downloads @zazuko/yasgui@VERSION (default: the pinned one in yasgui/VERSION.txt) with
# `npm pack`, checks that it is the package asked for, and replaces yasgui.min.js,
# yasgui.min.css and VERSION.txt. Review the licence (yasgui/LICENSE.txt) when the version changes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pinned=$(sed -n 's/^@zazuko\/yasgui //p' "$here/yasgui/VERSION.txt")
version=${1:-$pinned}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@zazuko/yasgui@$version" >/dev/null)
tar -xzf "$work"/zazuko-yasgui-"$version".tgz -C "$work"
name=$(node -e 'const p=require(process.argv[1]); console.log(p.name + " " + p.version + " " + p.license)' "$work/package/package.json")
case "$name" in
  "@zazuko/yasgui $version MIT") ;;
  *) echo "refresh.sh: unexpected package: $name" >&2; exit 1 ;;
esac
cp "$work/package/build/yasgui.min.js" "$work/package/build/yasgui.min.css" "$here/yasgui/"
printf '@zazuko/yasgui %s\n' "$version" > "$here/yasgui/VERSION.txt"
echo "vendored @zazuko/yasgui $version"
