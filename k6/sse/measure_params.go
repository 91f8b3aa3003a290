package sse

import (
	"fmt"
	"math"
	"time"

	"github.com/grafana/sobek"
)

// measureParams is params.measure: what the extension measures on the
// stream and when it closes it, so that no JavaScript has to run per event.
type measureParams struct {
	// stamp is the top-level JSON field of the event data holding the send
	// time in ms since the epoch; latency = receipt - stamp. "" measures no
	// latency and does not look at the data.
	stamp string
	// ids counts gaps and duplicates from the event ids, which must be
	// integers that strictly increase on the stream.
	ids bool
	// lossEvent names the events that report a loss, with data
	// {"lost":N,"to":LAST}: N gaps, and the ids continue after LAST. "" = none.
	lossEvent string
	// latencyFrom (ms since the epoch) leaves out the latency of events
	// received before it: a warm-up. 0 keeps all.
	latencyFrom float64
	// hold closes the stream at the first event received at least this long
	// after the request was sent. 0: never.
	hold time.Duration
	// maxEvents closes the stream once this many events counted. 0: no limit.
	maxEvents int64
	// countFrom (ms since the epoch): events stamped before it do not count
	// toward maxEvents (replayed history on a resumed stream). 0: all count.
	countFrom float64
}

func defaultMeasureParams() *measureParams {
	return &measureParams{stamp: "t", ids: true, lossEvent: "lost"}
}

// parseMeasure reads params.measure: true for the defaults, false to leave
// measuring off, or an object overriding some defaults. Unknown keys are an
// error: a misspelt option would silently measure something else.
func parseMeasure(rt *sobek.Runtime, v sobek.Value) (*measureParams, error) {
	if b, ok := v.Export().(bool); ok {
		if !b {
			return nil, nil
		}
		return defaultMeasureParams(), nil
	}
	obj := v.ToObject(rt)
	if obj == nil || obj.ClassName() != "Object" {
		return nil, fmt.Errorf("sse.open(): measure must be true, false or an object, got %s", v.String())
	}
	m := defaultMeasureParams()
	for _, key := range obj.Keys() {
		val := obj.Get(key)
		if sobek.IsUndefined(val) || sobek.IsNull(val) {
			continue
		}
		var err error
		switch key {
		case "stamp":
			m.stamp = val.String()
		case "ids":
			m.ids = val.ToBoolean()
		case "lossEvent":
			m.lossEvent = val.String()
		case "latencyFrom":
			m.latencyFrom, err = nonNegative(key, val)
		case "holdMs":
			var ms float64
			ms, err = nonNegative(key, val)
			m.hold = time.Duration(ms * float64(time.Millisecond))
		case "maxEvents":
			var n float64
			n, err = nonNegative(key, val)
			if err == nil && n != math.Trunc(n) {
				err = fmt.Errorf("sse.open(): measure.maxEvents must be a whole number, got %v", n)
			}
			m.maxEvents = int64(n)
		case "countFrom":
			m.countFrom, err = nonNegative(key, val)
		default:
			err = fmt.Errorf("sse.open(): unknown measure option %q (known: stamp, ids, lossEvent, latencyFrom, holdMs, maxEvents, countFrom)", key)
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

func nonNegative(key string, v sobek.Value) (float64, error) {
	var x float64
	switch n := v.Export().(type) {
	case int64:
		x = float64(n)
	case float64:
		x = n
	default:
		return 0, fmt.Errorf("sse.open(): measure.%s must be a number, got %s", key, v.String())
	}
	if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("sse.open(): measure.%s must be a finite number >= 0, got %v", key, x)
	}
	return x, nil
}
