#!/bin/sh
# hexo-supervise RUNDIR COMMAND...: runs one guest on the board for `hexo run --board`, detached from
# the SSH session that started it (started under setsid), so a dropped connection leaves the guest
# running. Everything about the run lives in RUNDIR: out and err (the guest's output), pid (whom to
# signal), interrupt (which signal Ctrl-C becomes), status (the exit status, written once it is known).
d=$1
shift
echo $$ > "$d/supervisor"
# A background command of a non-interactive shell starts with SIGINT ignored, and the JVM keeps an
# ignored SIGINT ignored: reset it where env can (coreutils >= 8.31), else Ctrl-C is sent as SIGTERM.
if env --default-signal=INT true 2>/dev/null; then
  echo INT > "$d/interrupt"
  env --default-signal=INT,QUIT "$@" > "$d/out" 2> "$d/err" < /dev/null &
else
  echo TERM > "$d/interrupt"
  "$@" > "$d/out" 2> "$d/err" < /dev/null &
fi
child=$!
echo "$child" > "$d/pid.tmp" && mv -f "$d/pid.tmp" "$d/pid"
wait "$child"
s=$?
echo "$s" > "$d/status.tmp" && mv -f "$d/status.tmp" "$d/status"
