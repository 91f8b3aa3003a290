package sse

import (
	"fmt"
	"strconv"
	"time"

	"github.com/grafana/sobek"
	gosse "github.com/tmaxmax/go-sse"

	"go.k6.io/k6/metrics"
)

// meter measures one stream in Go (params.measure). It keeps the rules of
// Tidemark's JavaScript path (scenarios/lib/sse-js-meter.ts) so both give
// the same figures on the same events:
//   - a loss notice adds its `lost` count to the gaps and moves the last id
//     to its `to`; it is not an event;
//   - every other event needs an integer id (with ids) and a numeric stamp
//     (with stamp), else the stream fails as malformed;
//   - an id above last+1 adds the ids in between to the gaps, an id at or
//     below the last one is a duplicate; the id becomes the last one either way;
//   - a request with an integer Last-Event-ID starts from that id and also
//     reports its first event as the reconnect time.
//
// It is used by one goroutine at a time: the one reading the stream.
type meter struct {
	p     *measureParams
	m     *measureMetrics
	tags  *metrics.TagsAndMeta
	batch *sampleBatch
	start time.Time // when the request was sent

	events, counted, gaps, duplicates int64
	lastID                            int64
	hasLastID, resumed, firstSeen     bool
	openedAt, firstEventAt            time.Time

	eventCount, duplicateCount *pendingCount
}

// newMeter measures a stream whose request carries lastEventID ("" if
// none); set start when the request is sent.
func newMeter(p *measureParams, m *measureMetrics, tags *metrics.TagsAndMeta, batch *sampleBatch, lastEventID string) *meter {
	mt := &meter{p: p, m: m, tags: tags, batch: batch}
	mt.eventCount = batch.counter(m.events, tags)
	mt.duplicateCount = batch.counter(m.duplicates, tags)
	if lastEventID != "" {
		mt.resumed = true
		if id, err := strconv.ParseInt(lastEventID, 10, 64); err == nil && p.ids {
			mt.lastID, mt.hasLastID = id, true
		}
	}
	return mt
}

// opened records the response headers' arrival.
func (mt *meter) opened(at time.Time) {
	mt.openedAt = at
	mt.batch.sample(mt.m.connectTime, mt.tags, at, metrics.D(at.Sub(mt.start)))
}

// observe measures one event received at `at`. done is true once a close
// rule (holdMs, maxEvents) is met; a malformed event returns an error and
// measures nothing.
func (mt *meter) observe(ev *gosse.Event, at time.Time) (done bool, malformed *streamError) {
	if mt.p.lossEvent != "" && ev.Type == mt.p.lossEvent {
		mt.lost(ev.Data)
		return false, nil
	}
	var id int64
	if mt.p.ids {
		var err error
		if id, err = strconv.ParseInt(ev.LastEventID, 10, 64); err != nil {
			return false, &streamError{codeStreamFormat, fmt.Sprintf("malformed event: id %q is not an integer (measure.ids)", ev.LastEventID)}
		}
	}
	var stamp float64
	if mt.p.stamp != "" {
		var ok bool
		if stamp, ok = numberField(ev.Data, mt.p.stamp); !ok {
			return false, &streamError{codeStreamFormat, fmt.Sprintf("malformed event: data has no numeric %q field (measure.stamp): %.100q", mt.p.stamp, ev.Data)}
		}
	}
	// receivedAt in ms as the JS event has it, so both paths compute the same latency.
	atMs := float64(at.UnixMicro()) / 1e3
	if !mt.firstSeen {
		mt.firstSeen, mt.firstEventAt = true, at
		d := metrics.D(at.Sub(mt.start))
		mt.batch.sample(mt.m.firstEvent, mt.tags, at, d)
		if mt.resumed {
			mt.batch.sample(mt.m.reconnectTime, mt.tags, at, d)
		}
		mt.batch.flush() // once per stream: no reason to hold it back
	}
	if mt.p.ids {
		if mt.hasLastID {
			if id > mt.lastID+1 {
				mt.gaps += id - mt.lastID - 1
			}
			if id <= mt.lastID {
				mt.duplicates++
				mt.batch.add(mt.duplicateCount, at, 1)
			}
		}
		mt.lastID, mt.hasLastID = id, true
	}
	mt.events++
	if mt.p.stamp == "" || mt.p.countFrom == 0 || stamp >= mt.p.countFrom {
		mt.counted++
	}
	mt.batch.add(mt.eventCount, at, 1)
	if mt.p.stamp != "" && atMs >= mt.p.latencyFrom {
		mt.batch.sample(mt.m.deliveryLatency, mt.tags, at, atMs-stamp)
	}
	held := mt.p.hold > 0 && at.Sub(mt.start) >= mt.p.hold
	return held || (mt.p.maxEvents > 0 && mt.counted >= mt.p.maxEvents), nil
}

// lost applies a loss notice {"lost":N,"to":LAST}; a notice without a
// readable count still counts one loss, so a loss is never silent.
func (mt *meter) lost(data string) {
	n, ok := numberField(data, "lost")
	if !ok || n < 0 {
		n = 1
	}
	mt.gaps += int64(n)
	if to, ok := numberField(data, "to"); ok && mt.p.ids {
		mt.lastID, mt.hasLastID = int64(to), true
	}
}

// finish records the stream's gaps (even 0) and pushes what is pending.
func (mt *meter) finish(at time.Time) {
	mt.batch.sample(mt.m.gaps, mt.tags, at, float64(mt.gaps))
}

// summaryJS is the `measure` object of open()'s result: the figures the
// script needs once per stream (events, the id to resume from, when the
// stream opened). Times are ms since the epoch, null when it did not happen.
func (mt *meter) summaryJS(rt *sobek.Runtime) *sobek.Object {
	o := rt.NewObject()
	_ = o.Set("events", mt.events)
	_ = o.Set("gaps", mt.gaps)
	_ = o.Set("duplicates", mt.duplicates)
	_ = o.Set("last_id", sobek.Null())
	if mt.hasLastID {
		_ = o.Set("last_id", mt.lastID)
	}
	_ = o.Set("opened_at", epochMs(rt, mt.openedAt))
	_ = o.Set("first_event_at", epochMs(rt, mt.firstEventAt))
	return o
}

// epochMs is t in ms since the epoch with µs precision, null for the zero time.
func epochMs(rt *sobek.Runtime, t time.Time) sobek.Value {
	if t.IsZero() {
		return sobek.Null()
	}
	return rt.ToValue(float64(t.UnixMicro()) / 1e3)
}
