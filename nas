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
           -newer "$stamp" \( -name '*.cs' -o -name '*.csv' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.proj' \) \
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

# Fashion-MNIST is the default dataset: Debian's package dataset-fashion-mnist.
dataset_dir=/usr/share/datasets/fashion-mnist
install_dataset() {
  echo "nas: installing Debian package dataset-fashion-mnist..." >&2
  "$root/build/apt-install" dataset-fashion-mnist >&2
}

# `nas setup`: install what the project needs from Debian (Fashion-MNIST, redis-server; the build ran above), and the pack project templates
# (`dotnet new nas-strategy|nas-estimator|nas-operation`; about two seconds; $NAS_TEMPLATE_HIVE selects another hive).
if [ "${1:-}" = setup ]; then
  [ -f "$dataset_dir/train-images-idx3-ubyte.gz" ] || install_dataset
  # Redis: the membership store of clusters (nas worker / race --cluster), and the cluster tests start their own.
  command -v redis-server >/dev/null 2>&1 || "$root/build/apt-install" redis-server >&2 ||
    echo "nas: warning: could not install redis-server (clusters and their tests need it)" >&2
  hive=()
  [ -n "${NAS_TEMPLATE_HIVE:-}" ] && hive=(--debug:custom-hive "$NAS_TEMPLATE_HIVE")
  DOTNET_NOLOGO=1 dotnet new install "$root/templates" --force "${hive[@]}" >/dev/null ||
    echo "nas: warning: could not install the dotnet new templates (nas pack new installs them when it runs)" >&2
  echo "nas: ready. Try ./nas list, ./nas race, ./nas pack new strategy MyStrategy" >&2
  exit 0
fi

# Commands that need the default data set install it when it is missing and we can (otherwise the error names it).
needs_dataset=false
case "${1:-}" in race|tui|search|bench|tabulate) needs_dataset=true ;; esac
if $needs_dataset && [[ " $* " != *" --dataset "* ]] && [ ! -f "$dataset_dir/train-images-idx3-ubyte.gz" ]; then
  install_dataset || true
fi

exec "$app" "$@"
