#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo need (a registry, Neovim, Chromium, ripgrep, openssl, curl).
# Safe to run again: it does nothing when everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(docker-registry neovim chromium libkrb5-dev ripgrep openssl curl openssh-client g++ make python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
