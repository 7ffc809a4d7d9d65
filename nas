#!/usr/bin/env bash
# The `nas` command: builds the CLI and the built-in plugin packs (Release) when any source is newer than the last
# build, makes sure the default dataset is installed, then runs the CLI with the given arguments.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="$root/src/Nas.Sandbox.Cli/bin/Release/net10.0/nas"
stamp="$root/artifacts/nas-build.stamp"

stale() {
  [ ! -x "$app" ] || [ ! -f "$stamp" ] && return 0
  [ -n "$(find "$root/src" "$root/plugins" "$root/build" "$root"/Directory.*.props "$root"/Directory.*.targets \
           -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.proj' \) \
           -not -path '*/obj/*' -not -path '*/bin/*' -print -quit 2>/dev/null)" ]
}

# `nas bench` runs the benchmark project (bench/), which prints its figures side by side.
if [ "${1:-}" = bench ]; then
  shift
  exec dotnet run --project "$root/bench/Nas.Sandbox.Bench" -c Release -- "$@"
fi

if stale; then
  echo "nas: building (Release)..." >&2
  mkdir -p "$root/artifacts"
  if ! dotnet build "$root/build/App.proj" -c Release -nologo -v q -clp:NoSummary >&2; then
    echo "nas: build failed" >&2
    exit 1
  fi
  touch "$stamp"
fi

# Fashion-MNIST is the default dataset: install Debian's package when it is missing and we can.
dataset_dir=/usr/share/datasets/fashion-mnist
needs_dataset=false
case "${1:-}" in race|tui|search|bench|tabulate) needs_dataset=true ;; esac
if $needs_dataset && [[ " $* " != *" --dataset "* ]] && [ ! -f "$dataset_dir/train-images-idx3-ubyte.gz" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "nas: installing Debian package dataset-fashion-mnist..." >&2
    (apt-get install -y -qq dataset-fashion-mnist >&2 || { apt-get update -qq >&2 && apt-get install -y -qq dataset-fashion-mnist >&2; }) || true
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "nas: installing Debian package dataset-fashion-mnist (sudo)..." >&2
    sudo -n apt-get install -y -qq dataset-fashion-mnist >&2 || true
  fi
fi

exec "$app" "$@"
