package sse

import (
	"errors"

	"go.k6.io/k6/js/modules"
	"go.k6.io/k6/metrics"
)

// Metric names emitted by the module for every stream.
const (
	// MetricEvents counts the events received.
	MetricEvents = "sse_event"
	// MetricOpenDuration is the time from sending the request to receiving
	// the response headers.
	MetricOpenDuration = "sse_open_duration"
	// MetricStreamDuration is the time from sending the request to the end of
	// the stream, whatever ended it.
	MetricStreamDuration = "sse_stream_duration"
)

// Metric names emitted only for streams opened with the `measure` param.
// They are the names Tidemark's JavaScript measuring path uses
// (scenarios/lib/sse-metrics.ts), so thresholds, reports and dashboards read
// both paths alike. Their samples carry the stream's tags (the VU's tags plus
// params.tags), not the request's url/method/status system tags, as a JS
// metric.add(value, tags) would.
const (
	// MetricMeasuredEvents counts the events measured (loss notices excluded).
	MetricMeasuredEvents = "sse_events"
	// MetricDeliveryLatency is receipt time minus the event's stamp, ms.
	MetricDeliveryLatency = "sse_delivery_latency"
	// MetricFirstEvent is request start to the first measured event.
	MetricFirstEvent = "sse_first_event"
	// MetricConnectTime is request start to the response headers.
	MetricConnectTime = "sse_connect_time"
	// MetricReconnectTime is MetricFirstEvent for a request that carried Last-Event-ID.
	MetricReconnectTime = "sse_reconnect_time"
	// MetricGaps counts missing ids plus the losses the server reported; one
	// sample per stream, at its end, even when 0 (so a threshold on it always has data).
	MetricGaps = "sse_gaps"
	// MetricDuplicates counts events whose id was not above the previous one.
	MetricDuplicates = "sse_duplicates"
)

type moduleMetrics struct {
	events         *metrics.Metric
	openDuration   *metrics.Metric
	streamDuration *metrics.Metric
	measure        measureMetrics
}

type measureMetrics struct {
	events, deliveryLatency, firstEvent, connectTime, reconnectTime, gaps, duplicates *metrics.Metric
}

// registerMetrics registers every metric in the init context, where the
// registry is available and before thresholds are checked against it. A
// metric that is registered but never sampled does not show in the summary.
func registerMetrics(vu modules.VU) (moduleMetrics, error) {
	env := vu.InitEnv()
	if env == nil || env.Registry == nil {
		return moduleMetrics{}, errors.New("k6/x/sse: no metrics registry (the module must be imported in the init context)")
	}
	r := env.Registry
	var m moduleMetrics
	defs := []struct {
		dst  **metrics.Metric
		name string
		typ  metrics.MetricType
		time bool
	}{
		{&m.events, MetricEvents, metrics.Counter, false},
		{&m.openDuration, MetricOpenDuration, metrics.Trend, true},
		{&m.streamDuration, MetricStreamDuration, metrics.Trend, true},
		{&m.measure.events, MetricMeasuredEvents, metrics.Counter, false},
		{&m.measure.deliveryLatency, MetricDeliveryLatency, metrics.Trend, true},
		{&m.measure.firstEvent, MetricFirstEvent, metrics.Trend, true},
		{&m.measure.connectTime, MetricConnectTime, metrics.Trend, true},
		{&m.measure.reconnectTime, MetricReconnectTime, metrics.Trend, true},
		{&m.measure.gaps, MetricGaps, metrics.Counter, false},
		{&m.measure.duplicates, MetricDuplicates, metrics.Counter, false},
	}
	for _, d := range defs {
		valueType := metrics.Default
		if d.time {
			valueType = metrics.Time
		}
		metric, err := r.NewMetric(d.name, d.typ, valueType)
		if err != nil {
			return m, err
		}
		*d.dst = metric
	}
	return m, nil
}
