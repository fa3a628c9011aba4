#!/usr/bin/env bash
# Boards over SSH on loopback: a real OpenSSH server (Debian's sshd) on a port of its own, this machine
# as the board (an x86-64 board; `hexo run --board` picks its engine there as locally).
#
#   bench/boards.sh              # deploy cold/warm, a 277 MB checkpoint (NPB IS class B) vs scp, hello latency
#   REPS=7 bench/boards.sh
#   ONLY=transfer bench/boards.sh   # only part 2 (the transfer vs scp)
#
# hexo keeps the board's connection open between commands (a holder here, an agent and a spare JVM on
# the board; docs/architecture.md "Boards over SSH"): "held" figures use them, "own connection" figures
# are the same commands with HEXO_BOARD_HOLD=off (each connects itself, as before the holder existed); "held"
# commands go through the launcher's native client (no JVM here), "held, hexo's JVM" are the same with
# HEXO_BOARD_CLIENT=off (as before the native client existed).
# 1. Deploy: `hexo run --board b --isa x86 hello` into an empty board home (cold: runtime + images sent)
#    and again (warm: nothing changed).
# 2. Transfer: `hexo transfer --to-board` of an NPB IS class B checkpoint into an empty directory on the
#    board vs `scp` of the same files (same sshd, same user, OpenSSH's defaults), best of REPS.
#    Goal: scp/hexo >= 0.9. Then `--from-board` of the same checkpoint into an empty directory.
# 3. Latency: `hexo run --board` of a hello world, warm, median of REPS, vs the same `hexo run` locally
#    (the baseline, same run). Goal: <= 0.5 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPS="${REPS:-5}"
ONLY="${ONLY:-}"
# The holder, the board's agent and its spare JVM come up in the background after the first commands.
wait_for() { for _ in $(seq 300); do eval "$1" && return 0; sleep 0.1; done; echo "waited 30 s for: $1" >&2; return 1; }
ensure_hexo_built
B="$WORK/boards"
rm -rf "$B/board-home" "$B/config" "$B/ssh" "$B/server"
mkdir -p "$B/server" "$B/ssh" "$B/scp-target"
export HEXO_CONFIG_HOME="$B/config" HEXO_SSH_DIR="$B/ssh"

# --- the board: sshd on a free loopback port, key login only
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$B/server/host" && ssh-keygen -q -t ed25519 -N '' -f "$B/server/client"
cp "$B/server/client.pub" "$B/server/authorized_keys"
mkdir -p /run/sshd
cat > "$B/server/sshd_config" <<C
Port $port
ListenAddress 127.0.0.1
HostKey $B/server/host
AuthorizedKeysFile $B/server/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
PidFile $B/server/sshd.pid
C
/usr/sbin/sshd -f "$B/server/sshd_config" || { echo "sshd did not start (tools/install.sh installs openssh-server)" >&2; exit 2; }
trap '"$HEXO" board disconnect bench >/dev/null 2>&1; kill "$(cat "$B/server/sshd.pid")" 2>/dev/null || true' EXIT
"$HEXO" board add bench --host 127.0.0.1 --port "$port" --user "$(id -un)" --key "$B/server/client" --home "$B/board-home" >/dev/null
"$HEXO" board trust bench >/dev/null

# --- 1. deploy
if [ "$ONLY" != transfer ]; then
mkdir -p "$B/hello"
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > "$B/hello/hello.c"
"$HEXO" build -o "$B/hello/out" "$B/hello" >/dev/null 2>&1
t=$(now); "$HEXO" run --board bench --isa x86 "$B/hello/out" >/dev/null 2>"$B/cold.err"; cold=$(since "$t")
grep -q "deploying to board bench" "$B/cold.err" || { echo "the cold run deployed nothing?" >&2; cat "$B/cold.err" >&2; exit 2; }
t=$(now); "$HEXO" run --board bench --isa x86 "$B/hello/out" >/dev/null 2>"$B/warm.err"; warm=$(since "$t")
! grep -q deploying "$B/warm.err" || { echo "the warm run deployed again" >&2; exit 2; }

# --- 3. latency (warm), baseline: the same hello run locally
wait_for 'ls "$B/board-home/agents/"*.json >/dev/null 2>&1 && ls "$B/board-home/spares/"*/ready >/dev/null 2>&1'
remote=(); here=(); own=(); jvm=()
for _ in $(seq "$REPS"); do
  t=$(now); "$HEXO" run --isa x86 "$B/hello/out" >/dev/null 2>&1; here+=("$(since "$t")")
  t=$(now); "$HEXO" run --board bench --isa x86 "$B/hello/out" >/dev/null 2>&1; remote+=("$(since "$t")")
  wait_for 'ls "$B/board-home/spares/"*/ready >/dev/null 2>&1'
  t=$(now); HEXO_BOARD_CLIENT=off "$HEXO" run --board bench --isa x86 "$B/hello/out" >/dev/null 2>&1; jvm+=("$(since "$t")")
  wait_for 'ls "$B/board-home/spares/"*/ready >/dev/null 2>&1'
  t=$(now); HEXO_BOARD_HOLD=off "$HEXO" run --board bench --isa x86 "$B/hello/out" >/dev/null 2>&1; own+=("$(since "$t")")
  wait_for 'ls "$B/board-home/spares/"*/ready >/dev/null 2>&1'
done
fi

# --- 2. transfer of a 277 MB checkpoint
if [ ! -f "$WORK/npb-is-B/prog_x86-64" ]; then
  "$HEXO" build --cflags "-DCLASS=B" -o "$WORK/npb-is-B" "$SAMPLES/npb-is" >/dev/null 2>&1
fi
ck="$WORK/npb-is-B-checkpoint"
# A checkpoint taken by an older hexo (another checkpoint format) is taken again.
if [ ! -f "$ck/mdata.bin" ] || [ "$ck/mdata.bin" -ot "$HEXO_HOME/compiler-bridge/target/compiler-bridge-0.1.0-SNAPSHOT.jar" ]; then
  rm -rf "$ck"; mkdir -p "$ck"
  (cd "$ck" && "$HEXO" run --isa x86 --migrate-at-point 2 --checkpoint-dir "$ck" "$WORK/npb-is-B" >/dev/null 2>&1) || [ $? = 75 ]
fi
size=$(du -sb "$ck" | cut -f1)
hexo_t=(); scp_t=(); own_t=(); pull_t=(); jvm_t=()
"$HEXO" board ps bench >/dev/null   # the holder (started by ONLY=transfer's first command) and its agent
wait_for 'ls "$B/board-home/agents/"*.json >/dev/null 2>&1'
for _ in $(seq "$REPS"); do
  rm -rf "$B/board-home/ck" "$B/scp-target"/*
  t=$(now); "$HEXO" transfer --from "$ck" --to-board bench --remote-dir "$B/board-home/ck" >/dev/null 2>"$B/transfer.err" \
    || { echo "hexo transfer failed:" >&2; cat "$B/transfer.err" >&2; exit 2; }
  hexo_t+=("$(since "$t")")
  t=$(now); scp -q -i "$B/server/client" -o UserKnownHostsFile="$B/ssh/known_hosts" -P "$port" "$ck"/*.bin* "$(id -un)@127.0.0.1:$B/scp-target/"; scp_t+=("$(since "$t")")
  rm -rf "$B/board-home/ck"
  t=$(now); HEXO_BOARD_CLIENT=off "$HEXO" transfer --from "$ck" --to-board bench --remote-dir "$B/board-home/ck" >/dev/null 2>&1; jvm_t+=("$(since "$t")")
  rm -rf "$B/board-home/ck" "$B/back"
  t=$(now); HEXO_BOARD_HOLD=off "$HEXO" transfer --from "$ck" --to-board bench --remote-dir "$B/board-home/ck" >/dev/null 2>&1; own_t+=("$(since "$t")")
  t=$(now); "$HEXO" transfer --from-board bench --remote-dir "$B/board-home/ck" --to "$B/back" >/dev/null 2>&1; pull_t+=("$(since "$t")")
done
hx=$(min_of "${hexo_t[@]}"); sc=$(min_of "${scp_t[@]}")
rm -rf "$B/board-home/ck"   # warm transfer: nothing changed, only the manifest travels
"$HEXO" transfer --from "$ck" --to-board bench --remote-dir "$B/board-home/ck" >/dev/null 2>&1
t=$(now); "$HEXO" transfer --from "$ck" --to-board bench --remote-dir "$B/board-home/ck" >/dev/null 2>&1; hx_warm=$(since "$t")

echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %8s\n' "what" "seconds"
if [ "$ONLY" != transfer ]; then
printf '%-52s %8s\n' "run --board hello, cold (deploys ~6 MB)" "$cold"
printf '%-52s %8s\n' "run --board hello, warm (nothing sent)" "$warm"
printf '%-52s %8s\n' "run hello locally, median of $REPS (baseline)" "$(median_of "${here[@]}")"
printf '%-52s %8s\n' "run --board hello warm, held, median of $REPS" "$(median_of "${remote[@]}")"
printf '%-52s %8s\n' "run --board hello warm, held, hexo's JVM, median of $REPS" "$(median_of "${jvm[@]}")"
printf '%-52s %8s\n' "run --board hello warm, own connection, median of $REPS" "$(median_of "${own[@]}")"
fi
printf '%-52s %8s\n' "transfer --to-board, $((size / 1000000)) MB, held, best of $REPS" "$hx"
printf '%-52s %8s\n' "scp of the same files, best of $REPS (baseline)" "$sc"
printf '%-52s %8s\n' "transfer --to-board, held, hexo's JVM, best of $REPS" "$(min_of "${jvm_t[@]}")"
printf '%-52s %8s\n' "transfer --to-board, own connection, best of $REPS" "$(min_of "${own_t[@]}")"
printf '%-52s %8s\n' "transfer --from-board (into an empty dir), best of $REPS" "$(min_of "${pull_t[@]}")"
printf '%-52s %8s\n' "transfer --to-board again, nothing changed" "$hx_warm"
if [ "$ONLY" = transfer ]; then echo "ratio transfer throughput hexo/scp $(ratio "$sc" "$hx") (goal >= 0.9)"; exit 0; fi
echo "ratio transfer throughput hexo/scp $(ratio "$sc" "$hx") (goal >= 0.9); run --board warm latency $(median_of "${remote[@]}") s (goal <= 0.5), $(ratio "$(median_of "${remote[@]}")" "$(median_of "${here[@]}")")x the local run"
