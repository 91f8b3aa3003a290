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
// open() blocks the iteration until the stream ends. Handlers always run on
// the VU goroutine (the one that called open); a separate goroutine only reads
// and parses the response body (with github.com/tmaxmax/go-sse) and hands the
// parsed events over a channel.
package sse

import (
	"errors"
	"net/http"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
	"go.k6.io/k6/metrics"
)

// ImportPath is the name scripts import the module by.
const ImportPath = "k6/x/sse"

// Metric names emitted by the module.
const (
	// MetricEvents counts the events received (one sample per event).
	MetricEvents = "sse_event"
	// MetricOpenDuration is the time from sending the request to receiving
	// the response headers.
	MetricOpenDuration = "sse_open_duration"
	// MetricStreamDuration is the time from sending the request to the end of
	// the stream, whatever ended it.
	MetricStreamDuration = "sse_stream_duration"
)

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

type moduleMetrics struct {
	events         *metrics.Metric
	openDuration   *metrics.Metric
	streamDuration *metrics.Metric
}

// instance is the per-VU module instance.
type instance struct {
	vu      modules.VU
	metrics moduleMetrics
	exports *sobek.Object
	// transport is made on the first open() of this VU (the VU state, with
	// its dialer and TLS settings, does not exist in the init context) and
	// reused afterwards so keep-alive connections can be reused.
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
	if err := mi.exports.Set("open", mi.open); err != nil {
		common.Throw(rt, err)
	}
	return mi
}

// Exports implements modules.Instance.
func (mi *instance) Exports() modules.Exports {
	return modules.Exports{Default: mi.exports}
}

func registerMetrics(vu modules.VU) (moduleMetrics, error) {
	env := vu.InitEnv()
	if env == nil || env.Registry == nil {
		return moduleMetrics{}, errors.New("k6/x/sse: no metrics registry (the module must be imported in the init context)")
	}
	var m moduleMetrics
	var err error
	if m.events, err = env.Registry.NewMetric(MetricEvents, metrics.Counter); err != nil {
		return m, err
	}
	if m.openDuration, err = env.Registry.NewMetric(MetricOpenDuration, metrics.Trend, metrics.Time); err != nil {
		return m, err
	}
	if m.streamDuration, err = env.Registry.NewMetric(MetricStreamDuration, metrics.Trend, metrics.Time); err != nil {
		return m, err
	}
	return m, nil
}
