#!/usr/bin/env bash
# What the compiled-script cache saves a new nas process: `nas list` (which compiles every shipped script) and a small
# tabular race with a script contestant (greedy-local-search, found by name among the shipped scripts), each with the
# cache off (NAS_SCRIPT_CACHE=off: Roslyn compiles every script) and on (a cache folder filled by one run before the rounds), interleaved round by round so
# that the machine's noise falls on both. Prints the median wall and CPU (user + system) seconds of each. Usage:
#   bench/script_cache.sh [ROUNDS]        (default 5; needs the CLI built: ./nas setup, or dotnet build -c Release)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}
nas=src/Nas.Sandbox.Cli/bin/Release/net10.0/nas
[ -x "$nas" ] || { echo "build the CLI first: dotnet build -c Release src/Nas.Sandbox.Cli" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NAS_HOME="$work/home"
cd "$work"
race=(race --estimator tabular --strategy greedy-local-search --strategy random-search --budget 50 --heats 2 --journal "$work/race.jsonl")

run() { # LABEL CACHE ARGS...: appends "wall cpu" to $work/LABEL
  local label=$1 cache=$2
  shift 2
  rm -f "$work/race.jsonl"
  NAS_SCRIPT_CACHE=$cache /usr/bin/time -f "%e %U %S" -o "$work/time" "$OLDPWD/$nas" "$@" >/dev/null 2>&1
  awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$work/time" >> "$work/$label"
}

run prime "$work/cache" list # fills the cache
for ((r = 1; r <= rounds; r++)); do
  run list-off off list
  run list-on "$work/cache" list
  run race-off off "${race[@]}"
  run race-on "$work/cache" "${race[@]}"
done
echo "script cache: $rounds rounds, $(nproc) cores, median seconds (wall / CPU)"
for label in list-off list-on race-off race-on; do
  python3 - "$work/$label" "$label" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
print(f"{sys.argv[2]:9} wall {statistics.median(r[0] for r in rows):5.2f}  cpu {statistics.median(r[1] for r in rows):5.2f}")
PY
done
