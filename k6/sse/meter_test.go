package sse

import (
	"context"
	"fmt"
	"testing"
	"time"

	gosse "github.com/tmaxmax/go-sse"
	"go.k6.io/k6/metrics"
)

// testMeter is a meter on fresh metrics whose samples land in out.
func testMeter(t *testing.T, p *measureParams, lastEventID string, start time.Time) (*meter, chan metrics.SampleContainer) {
	t.Helper()
	r := metrics.NewRegistry()
	m := measureMetrics{
		events:          r.MustNewMetric(MetricMeasuredEvents, metrics.Counter),
		deliveryLatency: r.MustNewMetric(MetricDeliveryLatency, metrics.Trend, metrics.Time),
		firstEvent:      r.MustNewMetric(MetricFirstEvent, metrics.Trend, metrics.Time),
		connectTime:     r.MustNewMetric(MetricConnectTime, metrics.Trend, metrics.Time),
		reconnectTime:   r.MustNewMetric(MetricReconnectTime, metrics.Trend, metrics.Time),
		gaps:            r.MustNewMetric(MetricGaps, metrics.Counter),
		duplicates:      r.MustNewMetric(MetricDuplicates, metrics.Counter),
	}
	out := make(chan metrics.SampleContainer, 1000)
	tags := &metrics.TagsAndMeta{Tags: r.RootTagSet().With("k", "v")}
	mt := newMeter(p, &m, tags, newSampleBatch(context.Background(), out), lastEventID)
	mt.start = start
	return mt, out
}

// tick is an event as the Tidemark SSE target sends it, stamped sentMs.
func tick(id int, sentMs float64) *gosse.Event {
	return &gosse.Event{LastEventID: fmt.Sprint(id), Type: "tick", Data: fmt.Sprintf(`{"seq":%d,"t":%.3f,"topic":"","p":"xx"}`, id, sentMs)}
}

// totals sums each metric's sample values and counts its samples.
func totals(t *testing.T, out chan metrics.SampleContainer) (sum map[string]float64, n map[string]int, values map[string][]float64) {
	t.Helper()
	sum, n, values = map[string]float64{}, map[string]int{}, map[string][]float64{}
	for len(out) > 0 {
		for _, s := range (<-out).GetSamples() {
			name := s.Metric.Name
			sum[name] += s.Value
			n[name]++
			values[name] = append(values[name], s.Value)
			if v, _ := s.Tags.Get("k"); v != "v" {
				t.Errorf("%s sample lacks the stream's tags: %v", name, s.Tags.Map())
			}
		}
	}
	return sum, n, values
}

func msOf(t time.Time) float64 { return float64(t.UnixMicro()) / 1e3 }

func TestMeterGapsDuplicatesAndLossNotices(t *testing.T) {
	start := time.Now()
	mt, out := testMeter(t, defaultMeasureParams(), "", start)
	at := start.Add(10 * time.Millisecond)
	mt.opened(start.Add(2 * time.Millisecond))
	events := []*gosse.Event{
		tick(1, msOf(at)-1), tick(2, msOf(at)-1),
		tick(5, msOf(at)-1), // 3 and 4 missing
		tick(5, msOf(at)-1), // duplicate
		tick(4, msOf(at)-1), // reordered: a duplicate too, and the last id goes back to 4
		tick(5, msOf(at)-1), // so 5 is new again
		{LastEventID: "5", Type: "lost", Data: `{"lost":37,"from":6,"to":42}`}, // id-less notice keeps the last id
		tick(43, msOf(at)-1),
	}
	for _, ev := range events {
		if done, bad := mt.observe(ev, at); done || bad != nil {
			t.Fatalf("observe(%v) = %v, %v", ev, done, bad)
		}
	}
	mt.finish(at)
	mt.batch.flush()
	sum, n, values := totals(t, out)
	want := map[string]float64{MetricMeasuredEvents: 7, MetricGaps: 2 + 37, MetricDuplicates: 2}
	for name, v := range want {
		if sum[name] != v {
			t.Errorf("%s total = %v, want %v", name, sum[name], v)
		}
	}
	if mt.lastID != 43 || mt.events != 7 || mt.gaps != 39 || mt.duplicates != 2 {
		t.Errorf("summary: last %d events %d gaps %d dups %d", mt.lastID, mt.events, mt.gaps, mt.duplicates)
	}
	if n[MetricDeliveryLatency] != 7 || n[MetricFirstEvent] != 1 || n[MetricConnectTime] != 1 || n[MetricReconnectTime] != 0 {
		t.Errorf("sample counts: %v", n)
	}
	for _, v := range values[MetricDeliveryLatency] {
		if v < 0.999 || v > 1.001 { // stamps are written with µs precision
			t.Errorf("latency %v, want 1 ms", v)
		}
	}
	if got := values[MetricFirstEvent][0]; got != 10 {
		t.Errorf("first event %v ms, want 10", got)
	}
}

func TestMeterResumeFromLastEventID(t *testing.T) {
	start := time.Now()
	mt, out := testMeter(t, defaultMeasureParams(), "41", start)
	at := start.Add(3 * time.Millisecond)
	for _, ev := range []*gosse.Event{tick(44, msOf(at)), tick(45, msOf(at))} {
		mt.observe(ev, at)
	}
	mt.finish(at)
	mt.batch.flush()
	sum, n, _ := totals(t, out)
	if sum[MetricGaps] != 2 || n[MetricReconnectTime] != 1 || n[MetricFirstEvent] != 1 {
		t.Errorf("gaps %v (want 2: 42 and 43), reconnect samples %d, first-event samples %d", sum[MetricGaps], n[MetricReconnectTime], n[MetricFirstEvent])
	}
}

func TestMeterMalformedEvents(t *testing.T) {
	cases := map[string]*gosse.Event{
		"stamp not a number": {LastEventID: "1", Data: `{"seq":1,"t":"soon"}`},
		"no stamp":           {LastEventID: "1", Data: `{"seq":1}`},
		"not JSON":           {LastEventID: "1", Data: `tick`},
		"truncated":          {LastEventID: "1", Data: `{"seq":1,"t":5,"p":"x`},
		"id not an integer":  {LastEventID: "a1", Data: `{"t":5}`},
		"no id":              {LastEventID: "", Data: `{"t":5}`},
	}
	for name, ev := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			mt, out := testMeter(t, defaultMeasureParams(), "", start)
			done, bad := mt.observe(ev, start)
			if done || bad == nil || bad.code != codeStreamFormat {
				t.Fatalf("observe = %v, %v; want a stream-format error", done, bad)
			}
			mt.batch.flush()
			if sum, _, _ := totals(t, out); sum[MetricMeasuredEvents] != 0 {
				t.Errorf("a malformed event was counted: %v", sum)
			}
		})
	}
	// Without stamp or ids, the data and ids are not looked at.
	mt, _ := testMeter(t, &measureParams{}, "", time.Now())
	if _, bad := mt.observe(&gosse.Event{Data: "anything"}, time.Now()); bad != nil {
		t.Errorf("measure {stamp:'', ids:false} rejected an event: %v", bad)
	}
}

func TestMeterCloseRulesAndWarmup(t *testing.T) {
	start := time.Now()
	p := defaultMeasureParams()
	p.maxEvents = 2
	p.countFrom = msOf(start)       // events stamped before the request are replays: not counted
	p.latencyFrom = msOf(start) + 5 // warm-up: the first 5 ms have no latency samples
	p.hold = 100 * time.Millisecond
	mt, out := testMeter(t, p, "", start)
	steps := []struct {
		ev   *gosse.Event
		at   time.Duration
		done bool
	}{
		{tick(1, msOf(start)-50), time.Millisecond, false}, // replayed
		{tick(2, msOf(start)+1), 2 * time.Millisecond, false},
		{tick(3, msOf(start)+9), 10 * time.Millisecond, true}, // second counted event
	}
	for _, s := range steps {
		if done, _ := mt.observe(s.ev, start.Add(s.at)); done != s.done {
			t.Fatalf("event %s: done = %v, want %v", s.ev.LastEventID, done, s.done)
		}
	}
	mt.batch.flush()
	if _, n, _ := totals(t, out); n[MetricDeliveryLatency] != 1 {
		t.Errorf("latency samples %d, want 1 (after the warm-up)", n[MetricDeliveryLatency])
	}
	// holdMs closes at the first event received that long after the request.
	mt, _ = testMeter(t, &measureParams{hold: 100 * time.Millisecond}, "", start)
	if done, _ := mt.observe(tick(1, 0), start.Add(99*time.Millisecond)); done {
		t.Error("closed before holdMs")
	}
	if done, _ := mt.observe(tick(2, 0), start.Add(100*time.Millisecond)); !done {
		t.Error("not closed at holdMs")
	}
}
