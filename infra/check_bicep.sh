#!/bin/sh
# Compile infra/azure/main.bicep with the Bicep CLI when one is on this machine.
#
#   sh infra/check_bicep.sh
#
# Uses `bicep` from PATH, else `az bicep`. Neither PyPI nor npm ships the compiler (the npm
# wrappers download it from Microsoft at run time), so where it is missing this prints
# "skipped: bicep CLI not available" and exits 0.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
template="$here/azure/main.bicep"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if command -v bicep >/dev/null 2>&1; then
    bicep build "$template" --outdir "$out"
    bicep lint "$template" 2>/dev/null || true
elif command -v az >/dev/null 2>&1 && az bicep version >/dev/null 2>&1; then
    az bicep build --file "$template" --outdir "$out"
else
    echo "skipped: bicep CLI not available"
    exit 0
fi

for json in "$here"/azure/*.parameters.json; do
    python3 -m json.tool "$json" >/dev/null
done
echo "ok: $(basename "$template") compiles ($(wc -c <"$out/main.json") bytes of ARM JSON)"
