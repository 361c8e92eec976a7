#!/usr/bin/env bash
# A local OpenSearch cluster for tests and trials, run from Maven Central's jars (tests/cluster/).
#   scripts/search-cluster.sh start [N]   start N nodes (default 1) forming one cluster; print its URL
#   scripts/search-cluster.sh stop        stop them (by PID) and remove their data
#   scripts/search-cluster.sh status      the URL and the nodes' PIDs, or exit 1 when none runs
# Settings: CNPOLICY_CLUSTER_DIR (state: PIDs, data, logs; default .cache/search-cluster),
# CNPOLICY_CLUSTER_HEAP (each node's Java heap, default 512m), CNPOLICY_CLUSTER_SETTINGS (more
# node settings, space-separated key=value: the fault tests shrink the write queue with it). Maven downloads the jars once into
# its local repository (~/.m2); later starts are offline.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${CNPOLICY_CLUSTER_DIR:-$root/.cache/search-cluster}"
# 512 MB per node: the whole backend suite and the 100k-document benchmark run in it; three
# nodes fit beside the test workers on a 2-core, 8 GB machine.
heap="${CNPOLICY_CLUSTER_HEAP:-512m}"
# Seconds to wait for the nodes to form a cluster (a cold start takes ~15-30 s on 2 cores).
start_timeout="${CNPOLICY_CLUSTER_TIMEOUT:-180}"
project="$root/tests/cluster"

die() { echo "search-cluster: $*" >&2; exit 1; }

build() {
  command -v java >/dev/null || die "java is not installed (OpenJDK 17 is needed)"
  command -v mvn >/dev/null || die "mvn is not installed (Maven fetches the OpenSearch jars)"
  local classes="$project/target/classes/cnpolicy/cluster/LocalNode.class"
  local cp="$project/target/classpath.txt"
  if [ ! -f "$classes" ] || [ ! -s "$cp" ] || [ "$project/pom.xml" -nt "$cp" ] ||
    [ "$project/src/main/java/cnpolicy/cluster/LocalNode.java" -nt "$classes" ]; then
    mvn -B -q -f "$project/pom.xml" compile dependency:build-classpath \
      -Dmdep.outputFile="$cp" >"$dir/maven.log" 2>&1 ||
      { tail -20 "$dir/maven.log" >&2; die "maven could not build tests/cluster (log: $dir/maven.log)"; }
  fi
}

free_ports() {  # N free loopback ports, one per line
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))
PY
}

start() {
  local n="${1:-1}"
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "start takes a number of nodes, not '$n'"
  if status >/dev/null 2>&1; then die "a cluster already runs from $dir (stop it first)"; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  build
  local cluster="cnpolicy-test-$$"
  mapfile -t ports < <(free_ports $((2 * n)))
  local seeds=() names=()
  for i in $(seq 1 "$n"); do
    seeds+=("127.0.0.1:${ports[$((n + i - 1))]}")
    names+=("node-$i")
  done
  for i in $(seq 1 "$n"); do
    local node="$dir/node-$i"
    mkdir -p "$node/home" "$node/data"
    local discovery=("discovery.type=single-node")
    if [ "$n" -gt 1 ]; then
      discovery=("discovery.seed_hosts=$(IFS=,; echo "${seeds[*]}")"
        "cluster.initial_cluster_manager_nodes=$(IFS=,; echo "${names[*]}")")
    fi
    # G1 (Java's default collector): OpenSearch's parent circuit breaker reads the heap's real
    # use, which only a concurrent collector keeps near the live data; with SerialGC a 1 GB node
    # tripped it (429) at ~55,000 documents in tools/bench_store.py.
    java -Xms"$heap" -Xmx"$heap" -Dlog4j2.disable.jmx=true \
      -cp "$project/target/classes:$(cat "$project/target/classpath.txt")" \
      cnpolicy.cluster.LocalNode "$node/url" \
      "cluster.name=$cluster" "node.name=node-$i" \
      "path.home=$node/home" "path.data=$node/data" \
      "network.host=127.0.0.1" "http.port=${ports[$((i - 1))]}" \
      "transport.port=${ports[$((n + i - 1))]}" "${discovery[@]}" \
      "cluster.routing.allocation.disk.threshold_enabled=false" \
      "action.auto_create_index=false" ${CNPOLICY_CLUSTER_SETTINGS:-} \
      >"$node/node.log" 2>&1 &
    echo $! >"$node/pid"
  done
  local deadline=$((SECONDS + start_timeout))
  for i in $(seq 1 "$n"); do
    until [ -s "$dir/node-$i/url" ]; do
      if ! kill -0 "$(cat "$dir/node-$i/pid")" 2>/dev/null; then
        tail -30 "$dir/node-$i/node.log" >&2
        stop >/dev/null 2>&1 || true
        die "node-$i exited while starting (log above)"
      fi
      [ $SECONDS -lt $deadline ] || { stop >/dev/null 2>&1 || true; die "node-$i did not start in ${start_timeout}s"; }
      sleep 0.5
    done
  done
  local url
  url="$(cat "$dir/node-1/url")"
  until curl -sf "$url/_cluster/health?wait_for_nodes=$n&timeout=5s" >/dev/null; do
    [ $SECONDS -lt $deadline ] || { stop >/dev/null 2>&1 || true; die "the $n nodes did not form a cluster in ${start_timeout}s"; }
    sleep 1
  done
  echo "$url" >"$dir/url"
  echo "$url"
}

status() {
  [ -s "$dir/url" ] || return 1
  local alive=0
  for pidfile in "$dir"/node-*/pid; do
    if kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      alive=1
      echo "$(basename "$(dirname "$pidfile")") pid $(cat "$pidfile")"
    fi
  done
  [ "$alive" -eq 1 ] || return 1
  cat "$dir/url"
}

stop() {
  local pids=()
  for pidfile in "$dir"/node-*/pid; do
    [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")")
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
  echo "stopped ${#pids[@]} node(s)"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] | stop | status" >&2; exit 2 ;;
esac
