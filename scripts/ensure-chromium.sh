#!/bin/sh
# Installs Debian's Chromium when absent: the WebGPU tests run in it (SwiftShader gives it a
# WebGPU adapter on machines without a GPU) and borrow its Vulkan driver for Node's Dawn.
set -e
if [ -x /usr/bin/chromium ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
