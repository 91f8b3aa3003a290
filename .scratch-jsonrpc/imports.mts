await import('@modelcontextprotocol/sdk/server/mcp.js');
console.log('sdk', (process.memoryUsage.rss()/1048576).toFixed(1));
await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
console.log('+transport', (process.memoryUsage.rss()/1048576).toFixed(1));
await import('/work/main/targets/jsonrpc/server.ts');
console.log('+server', (process.memoryUsage.rss()/1048576).toFixed(1), (process.memoryUsage().heapUsed/1048576).toFixed(1));
