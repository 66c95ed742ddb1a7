#!/usr/bin/env bash
# A short live demo of zswift over loopback: push/pull, pub/sub with a filter, and a request
# made of binary frames, each step printed before it runs.
set -euo pipefail
Z=${1:-.build/release/zswift}
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT

# commands in bold on a terminal only (NO_COLOR respected), plain when piped or logged
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }

"$Z" --version

step "zswift pull -b 'tcp://127.0.0.1:*' -v -n 3 &    # bind any free port, report it"
"$Z" pull -b 'tcp://127.0.0.1:*' -v -n 3 -t 10s 2> "$dir/err" &
pull=$!
for _ in $(seq 100); do grep -q 'bound to' "$dir/err" 2>/dev/null && break; sleep 0.05; done
endpoint=$(sed -n 's/.*bound to //p' "$dir/err" | head -1)
echo "(pull bound $endpoint)"
step "printf 'hello\\nfrom\\nzswift\\n' | zswift push -c $endpoint"
printf 'hello\nfrom\nzswift\n' | "$Z" push -c "$endpoint"
wait $pull

step "zswift sub -c ipc://.../weather -s 10001 -n 2 &   # only zip code 10001"
"$Z" sub -c "ipc://$dir/weather" -s 10001 -n 2 -t 10s &
sub=$!
step "printf '10001 sunny\\n20002 rain\\n10001 snow\\n' | zswift pub -b ipc://.../weather --wait-subscribers 1"
printf '10001 sunny\n20002 rain\n10001 snow\n' | "$Z" pub -b "ipc://$dir/weather" --wait-subscribers 1 -t 10s
wait $sub

step "zswift pull -b ipc://.../bin -n 1 --out json &   # any bytes, any frames, shown as JSON"
"$Z" pull -b "ipc://$dir/bin" -n 1 --out json -t 10s &
pull=$!
step "printf '00ff0a 68c3a9 \\n' | zswift push -c ipc://.../bin --in hex   # three frames, one empty"
printf '00ff0a 68c3a9 \n' | "$Z" push -c "ipc://$dir/bin" --in hex
wait $pull

printf '\nDone. Try: %s --help, or man ./man/zswift.1\n' "$Z"
