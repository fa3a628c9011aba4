#!/usr/bin/env bash
# Starts the hexo IDE: Eclipse 4.37 with the hexo plug-ins, assembled by Maven in plugin/dist/target/eclipse.
# Usage: tools/ide/launch.sh [WORKSPACE]     (what `hexo ide [WORKSPACE]` calls)
# Environment: HEXO_IDE_VMARGS (extra JVM options), JAVA (java to use), DISPLAY (an X display; none -> error).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HEXO_HOME="${HEXO_HOME:-$(cd "$HERE/../.." && pwd)}"
ECLIPSE="${HEXO_IDE_ECLIPSE:-$HEXO_HOME/plugin/dist/target/eclipse}"
WORKSPACE="${1:-$HOME/hexo-workspace}"
JAVA="${JAVA:-java}"

if [ ! -f "$ECLIPSE/configuration/config.ini" ] || [ ! -f "$ECLIPSE/launcher.txt" ]; then
  echo "hexo ide: assembling the IDE (mvn -pl plugin/dist -am install) ..." >&2
  # Maven 3.8's console library writes colour resets even with -B and no terminal: strip escapes from what it says.
  (cd "$HEXO_HOME" && mvn -B -q -pl plugin/dist -am install -DskipTests) 2>&1 | sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' >&2
fi
if [ -z "${DISPLAY:-}" ]; then
  echo "hexo ide: no DISPLAY; run it on a desktop, or under Xvfb: xvfb-run -a $0 $*" >&2
  exit 2
fi
mkdir -p "$WORKSPACE"
LAUNCHER="$ECLIPSE/$(head -n1 "$ECLIPSE/launcher.txt")"
# A private copy of the configuration area: several IDEs (and the tests) can run from one assembly.
CONF="${HEXO_IDE_CONFIGURATION:-$WORKSPACE/.metadata/.hexo-ide-configuration}"
mkdir -p "$CONF"
cp "$ECLIPSE/configuration/config.ini" "$CONF/config.ini"
sed -i "s#^osgi.framework=file:plugins/#osgi.framework=file:$ECLIPSE/plugins/#" "$CONF/config.ini"
exec "$JAVA" -Xmx1g -Dhexo.home="$HEXO_HOME" -Dosgi.install.area="file:$ECLIPSE/" ${HEXO_IDE_VMARGS:-} \
  -jar "$LAUNCHER" -configuration "file:$CONF/" -data "$WORKSPACE" "${@:2}"
