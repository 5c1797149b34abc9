#!/usr/bin/env bash
# The demo: builds what it needs, then runs node-ipc's hello/world as separate JVMs, over a Unix socket at
# node-ipc's default path (/tmp/app.world) and over TCP, then ipcio's queue demo, ipcio's database request and
# deliver demos (request/response), and a chat between clients (each on a Unix socket in its own /tmp directory).
# The command line (reactive-ipc-cli) tails a topic of the world server while send emits.
set -euo pipefail
cd "$(dirname "$0")"

echo "== building (first run downloads Maven and the dependencies)"
./mvnw -q -B -ntp package -DskipTests

CP="examples/target/classes:examples/target/lib/*"
LOGS=$(mktemp -d)
LOG=""
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$LOGS"
}
trap cleanup EXIT

# Starts the world server in its own JVM and waits until it says it listens.
start_world() {
  LOG=$(mktemp -p "$LOGS")
  java -cp "$CP" io.reactiveipc.examples.WorldServer "$@" > "$LOG" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do
    if grep -q "listening on" "$LOG"; then break; fi
    if ! kill -0 "$SERVER" 2>/dev/null; then cat "$LOG"; echo "the world server did not start"; exit 1; fi
    sleep 0.1
  done
  tail -n +1 -f "$LOG" --pid="$SERVER" &
}

stop_world() {
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}

hello() {
  java -cp "$CP" io.reactiveipc.examples.HelloClient "$@"
}

echo
echo "== Unix socket (node-ipc's default path): a world server and two hello clients, each its own JVM"
start_world unix /tmp/app.world
hello unix /tmp/app.world
hello unix /tmp/app.world

echo
echo "== the command line against the same world server: tail a topic while send emits, then a request"
CLI=reactive-ipc-cli/bin/reactive-ipc
TAIL_ERR=$(mktemp -p "$LOGS")
"$CLI" tail unix:/tmp/app.world news --count 2 --timeout 30s --id watcher 2> "$TAIL_ERR" &
TAIL=$!
for _ in $(seq 1 300); do
  if grep -q "connected to" "$TAIL_ERR"; then break; fi
  if ! kill -0 "$TAIL" 2>/dev/null; then cat "$TAIL_ERR"; echo "tail did not connect"; exit 1; fi
  sleep 0.1
done
# the world server relays a client's broadcast to every other client (ipcio's broadcast): here, to tail
printf '%s\n' '{"type":"news","data":"first"}' '{"type":"news","data":{"second":true}}' \
  | "$CLI" send unix:/tmp/app.world --broadcast --id sender
wait "$TAIL"
"$CLI" request unix:/tmp/app.world message '"hello"'
stop_world
[ -e /tmp/app.world ] && echo "(socket file still there?)" || echo "world: stopped, /tmp/app.world removed"

echo
echo "== TCP on loopback"
start_world tcp 127.0.0.1 0
PORT=$(sed -n 's/.*listening on tcp:127.0.0.1:\([0-9]*\).*/\1/p' "$LOG")
hello tcp 127.0.0.1 "$PORT"
stop_world

echo
echo "== Queue while the server is down (ipcio's demo): emit first, start the server later"
java -cp "$CP" io.reactiveipc.examples.QueueDemo

echo
echo "== ipcio's database request: asked before the server is up, answered as the request's result"
java -cp "$CP" io.reactiveipc.examples.DatabaseDemo

echo
echo "== ipcio's deliver between clients: the producer asks the consumer, through the server"
java -cp "$CP" io.reactiveipc.examples.DeliverDemo

echo
echo "== a chat between clients: direct messages, broadcasts, and a relay the server refuses"
java -cp "$CP" io.reactiveipc.examples.ChatDemo

echo
echo "== UDP (node-ipc's serveNet udp4): answers to the sender, a broadcast to every peer heard from"
java -cp "$CP" io.reactiveipc.examples.UdpDemo
