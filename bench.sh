#!/usr/bin/env bash
# The benchmark: builds, installs the pinned node-ipc peers, runs every scenario (about 22 minutes, and some 15 more for
# the request/response cells: about 10 s a run in single runs of them), prints the
# table and writes benchmark/target/benchmark.md and benchmark.json. Options go to Bench (--runs, --only, ...).
# ./bench.sh jmh [JMH options]: the codec microbenchmarks instead (about 2 minutes).
set -euo pipefail
cd "$(dirname "$0")"
./mvnw -q -B -ntp package -DskipTests -pl benchmark -am
if [ "${1:-}" = "jmh" ]; then
  shift
  exec java -cp "benchmark/target/classes:benchmark/target/lib/*" org.openjdk.jmh.Main CodecBenchmark "$@"
fi
bash node-peers/install.sh
exec java -cp "benchmark/target/classes:benchmark/target/lib/*" io.reactiveipc.benchmark.Bench "$@"
