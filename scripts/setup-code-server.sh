#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100 in the browser) into the git-ignored .vscode-test/code-server folder for
# the end-to-end tests and `npm start`. Works offline apart from the npm registry: ripgrep comes from Debian (see
# scripts/setup-system.sh), Node's headers from the local Node install. A no-op when the right version is present.
set -euo pipefail
cd "$(dirname "$0")/.."

version="4.100.3"
prefix=".vscode-test/code-server"
installed="$prefix/node_modules/code-server/package.json"
# code-server's postinstall installs VS Code's own modules last; ripgrep among them means it finished.
completed="$prefix/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"

if [ -f "$installed" ] && [ -x "$prefix/node_modules/.bin/code-server" ] && [ -x "$completed" ] &&
  [ "$(node -p "require('./$installed').version")" = "$version" ]; then
  exit 0
fi

for tool in rg node npm tar; do
  command -v "$tool" >/dev/null || { echo "setup-code-server: '$tool' is missing; run scripts/setup-system.sh" >&2; exit 1; }
done
if ! dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "setup-code-server: libkrb5-dev is missing; run scripts/setup-system.sh" >&2
  exit 1
fi

echo "Installing code-server $version into $prefix (about a minute, once)"

# @vscode/ripgrep's postinstall downloads a prebuilt rg unless its cache already holds the archive: give it Debian's.
rg_cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_archive" ]; then
  mkdir -p "$rg_cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$rg_archive.tmp" -C "$staging" rg
  mv "$rg_archive.tmp" "$rg_archive"
  rm -rf "$staging"
fi

# node-gyp builds native modules against the local Node headers instead of downloading them.
node_prefix="$(node -p 'require("path").dirname(require("path").dirname(process.execPath))')"
if [ ! -d "$node_prefix/include/node" ]; then
  echo "setup-code-server: Node headers not found under $node_prefix/include/node" >&2
  exit 1
fi
export npm_config_nodedir="$node_prefix"
export npm_config_yes=true
export npm_config_audit=false
export npm_config_fund=false
export npm_config_update_notifier=false
if [ "$(id -u)" -eq 0 ]; then export npm_config_unsafe_perm=true; fi

mkdir -p "$prefix"
if [ ! -f "$prefix/package.json" ]; then
  printf '{\n  "name": "modelfile-studio-code-server",\n  "private": true\n}\n' >"$prefix/package.json"
fi
# --save-exact: a caret range would pick a newer code-server that needs Node 24.
npm install --prefix "$prefix" --save-exact --no-package-lock "code-server@$version"

"$prefix/node_modules/.bin/code-server" --version >/dev/null
echo "code-server $version is ready: $prefix/node_modules/.bin/code-server"
