#!/bin/bash
# usage: cost.sh MIX RATE
U=http://127.0.0.1:18082
b=$(curl -s $U/stats | python3 -c "import json,sys; s=json.load(sys.stdin); print(s['cpuUs']['user']+s['cpuUs']['system'], s['ops'])")
K6_AUTO_EXTENSION_RESOLUTION=false K6_NO_USAGE_REPORT=true .tools/bin/k6 run --quiet -e TARGET_URL=$U -e TIDEMARK_DURATION=6s -e JSONRPC_MIX=$1 -e JSONRPC_RATE=$2 scenarios/jsonrpc/sustained.ts 2>&1 | grep -E "rpc_latency:|requests:|dropped"
a=$(curl -s $U/stats | python3 -c "import json,sys; s=json.load(sys.stdin); print(s['cpuUs']['user']+s['cpuUs']['system'], s['ops'])")
python3 -c "b='$b'.split(); a='$a'.split(); print('$1 cpu us/op', (int(a[0])-int(b[0]))/(int(a[1])-int(b[1])))"
