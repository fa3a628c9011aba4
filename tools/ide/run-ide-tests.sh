#!/usr/bin/env bash
# Runs the hexo IDE tests inside a real Eclipse: first the headless ones (OSGi framework, no display), then the UI
# ones in the workbench under Xvfb. Called by plugin/tests at integration-test (mvn verify); usable by hand:
#   tools/ide/run-ide-tests.sh plugin/tests/target/test-eclipse /tmp/ide-tests docs/ide
# Fails (exit 1) when a test fails or a run does not report. Env: HEXO_IDE_TESTS=ClassName,... to run only some.
set -uo pipefail
ECLIPSE="$(cd "$1" && pwd)"
RESULTS="$2"
SHOTS="${3:-}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HEXO_HOME="${HEXO_HOME:-$(cd "$HERE/../.." && pwd)}"
JAVA="${JAVA:-java}"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
[ -n "$SHOTS" ] && mkdir -p "$SHOTS"
LAUNCHER="$ECLIPSE/$(head -n1 "$ECLIPSE/launcher.txt")"

run_app() { # APP
  local app="$1" conf="$RESULTS/configuration-$1"
  mkdir -p "$conf" "$RESULTS/workspace-$app"
  cp "$ECLIPSE/configuration/config.ini" "$conf/config.ini"
  sed -i "s#^osgi.framework=file:plugins/#osgi.framework=file:$ECLIPSE/plugins/#" "$conf/config.ini"
  # the tests' boards and host keys, never the user's (~/.config/hexo/boards.json, ~/.ssh/known_hosts)
  mkdir -p "$RESULTS/hexo-config" "$RESULTS/ssh"
  HEXO_CONFIG_HOME="$RESULTS/hexo-config" HEXO_SSH_DIR="$RESULTS/ssh" \
  timeout 900 "$JAVA" -Xmx1g -Dhexo.home="$HEXO_HOME" -Dhexo.ide.results="$RESULTS/$app.txt" \
    -Dhexo.ide.screenshots="$SHOTS" -Dhexo.ide.noDialogs=true -Dhexo.ide.tests="${HEXO_IDE_TESTS:-}" \
    -Dosgi.install.area="file:$ECLIPSE/" \
    -jar "$LAUNCHER" -configuration "file:$conf/" -data "$RESULTS/workspace-$app" \
    -application "io.hexo.ide.tests.$app" -nosplash -consoleLog
}

echo "[ide-tests] headless tests (OSGi framework, no display)"
( unset DISPLAY; run_app headless ) 2>&1 | tee "$RESULTS/headless.log"

echo "[ide-tests] UI tests (workbench under Xvfb)"
if [ -z "${DISPLAY:-}" ]; then
  if ! command -v Xvfb >/dev/null || ! command -v import >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "[ide-tests] installing xvfb, libgtk-3-0, dbus-x11, imagemagick" >&2
      (apt-get install -y --no-install-recommends xvfb libgtk-3-0 dbus-x11 imagemagick \
        || (apt-get update && apt-get install -y --no-install-recommends xvfb libgtk-3-0 dbus-x11 imagemagick)) >&2
    fi
  fi
  n=90
  while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 1400x900x24 -nolisten tcp >"$RESULTS/xvfb.log" 2>&1 &
  XVFB=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
  DISPLAY=":$n" run_app uitest 2>&1 | tee "$RESULTS/uitest.log"
  kill "$XVFB" 2>/dev/null; wait "$XVFB" 2>/dev/null
else
  run_app uitest 2>&1 | tee "$RESULTS/uitest.log"
fi

status=0
for app in headless uitest; do
  if [ ! -f "$RESULTS/$app.txt" ]; then
    echo "[ide-tests] $app: no results (the Eclipse run did not finish its tests)"; status=1; continue
  fi
  echo "[ide-tests] $app: $(tail -n1 "$RESULTS/$app.txt")"
  grep -q ' 0 failed' "$RESULTS/$app.txt" || status=1
done
exit $status
