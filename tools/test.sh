#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then `mvn verify` (unit tests of each
# module, the QEMU-hosted KVM engine tests, the end-to-end suite in src-test/, the IDE tests under Xvfb).
set -euo pipefail
HEXO_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$HEXO_HOME/tools/install.sh"
cd "$HEXO_HOME"
exec mvn -B verify </dev/null
