// Package sse is Tidemark's k6 extension for Server-Sent Events. It registers
// the JavaScript module "k6/x/sse" with the API shape of xk6-sse:
//
//	const res = sse.open(url, params, (client) => {
//	  client.on('open', () => {})
//	  client.on('event', (e) => {}) // e.id, e.name, e.data, e.receivedAt
//	  client.on('error', (e) => {}) // e.error(), e.code
//	  client.close()
//	})
//
// open() blocks the iteration until the stream ends; its handlers run on the
// VU goroutine, which also reads and parses the body (github.com/tmaxmax/go-sse).
//
// Tidemark's additions, found by feature through `sse.features`:
//   - params.measure: the extension measures the stream itself (delivery
//     latency from a stamp in the data, id gaps and duplicates, counts, first
//     event) and emits k6 metrics from Go, so no JavaScript runs per event
//     unless an 'event' handler is registered (see measure_params.go, meter.go).
//   - sse.openAsync(): the same stream as a Promise, read on its own goroutine,
//     so one VU can hold many streams (see open_async.go).
package sse

import (
	"net/http"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
)

// ImportPath is the name scripts import the module by.
const ImportPath = "k6/x/sse"

func init() {
	modules.Register(ImportPath, New())
}

// RootModule is the process-wide module; it makes one instance per VU.
type RootModule struct{}

// New returns the root module.
func New() *RootModule { return &RootModule{} }

var (
	_ modules.Module   = (*RootModule)(nil)
	_ modules.Instance = (*instance)(nil)
)

// instance is the per-VU module instance.
type instance struct {
	vu      modules.VU
	metrics moduleMetrics
	exports *sobek.Object
	// transport is made on the first open() of this VU (the VU state, with
	// its dialer and TLS settings, does not exist in the init context) and
	// reused afterwards so keep-alive connections can be reused. Only the
	// VU goroutine touches this field; the transport itself is goroutine-safe.
	transport *http.Transport
}

// NewModuleInstance implements modules.Module.
func (*RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	rt := vu.Runtime()
	m, err := registerMetrics(vu)
	if err != nil {
		common.Throw(rt, err)
	}
	mi := &instance{vu: vu, metrics: m, exports: rt.NewObject()}
	// features lets a script tell this extension from xk6-sse (which has
	// neither) and fall back to measuring in JavaScript there.
	features := rt.NewObject()
	for k, v := range map[string]any{"measure": true, "openAsync": true} {
		if err := features.Set(k, v); err != nil {
			common.Throw(rt, err)
		}
	}
	for k, v := range map[string]any{"open": mi.open, "openAsync": mi.openAsync, "features": features} {
		if err := mi.exports.Set(k, v); err != nil {
			common.Throw(rt, err)
		}
	}
	return mi
}

// Exports implements modules.Instance.
func (mi *instance) Exports() modules.Exports {
	return modules.Exports{Default: mi.exports}
}
