#!/usr/bin/env bash
# Regenerates the files that come from the flag table: the man page, the shell completions, and
# the generated sections of README.md. A test fails when the committed files drift from these.
set -euo pipefail
Z=${1:-.build/debug/zswift}
cd "$(dirname "$0")/.."
"$Z" --generate man > man/zswift.1
"$Z" --generate bash > completions/zswift.bash
"$Z" --generate zsh > completions/_zswift
"$Z" --generate fish > completions/zswift.fish
for section in formats exit-status commands; do
    "$Z" --generate "readme-$section" > "/tmp/zswift-readme-$section.$$"
    python3 - "$section" "/tmp/zswift-readme-$section.$$" <<'PY'
import sys, re
name, path = sys.argv[1], sys.argv[2]
text = open("README.md").read()
body = open(path).read()
begin, end = f"<!-- generated: {name} -->\n", f"<!-- end: {name} -->"
i, j = text.index(begin) + len(begin), text.index(end)
open("README.md", "w").write(text[:i] + body + text[j:])
PY
    rm -f "/tmp/zswift-readme-$section.$$"
done
echo "generated man/zswift.1, completions/, README.md tables"
