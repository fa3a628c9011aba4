#!/bin/sh
# hexo-supervise RUNDIR COMMAND...: runs one guest on the board for `hexo run --board`, detached from
# the SSH session that started it (started under setsid), so a dropped connection leaves the guest
# running. Everything about the run lives in RUNDIR: out and err (the guest's output), pid (whom to
# signal), interrupt (which signal Ctrl-C becomes), status (the exit status, written once it is known).
# It works in RUNDIR by relative names, so RUNDIR may be renamed under it: a spare hexo waiting for a
# run (spares/…) becomes that run (runs/ID) by a rename. COMMAND runs in the directory it was started in.
d=$1
shift
w=$(pwd)
cd "$d" || exit 1
echo $$ > supervisor
# A background command of a non-interactive shell starts with SIGINT ignored, and the JVM keeps an
# ignored SIGINT ignored: reset it where env can (coreutils >= 8.31), else Ctrl-C is sent as SIGTERM.
if env --default-signal=INT true 2>/dev/null; then
  echo INT > interrupt
  { cd "$w" && exec env --default-signal=INT,QUIT "$@"; } > out 2> err < /dev/null &
else
  echo TERM > interrupt
  { cd "$w" && exec "$@"; } > out 2> err < /dev/null &
fi
child=$!
echo "$child" > pid.tmp && mv -f pid.tmp pid
wait "$child"
s=$?
echo "$s" > status.tmp && mv -f status.tmp status
