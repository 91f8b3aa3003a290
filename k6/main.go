// Command k6 is the pinned k6 build used by Tidemark: stock k6 plus the
// in-repo k6/x/sse extension (see docs/ARCHITECTURE.md, "Why an in-repo SSE
// extension"). Build it with `npm run setup`, which runs
// `go build -trimpath -o ../.tools/bin/k6 .` in this folder.
package main

import (
	k6cmd "go.k6.io/k6/cmd"

	// Registers the k6/x/sse JavaScript module.
	_ "github.com/tidemark/tidemark/k6/sse"
)

func main() {
	k6cmd.Execute()
}
