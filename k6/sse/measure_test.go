package sse

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.k6.io/k6/metrics"
)

// measuredServer serves the Tidemark target's wire format with a known
// gap (3), a duplicate (4), a loss notice (6..8) and a stamp of "now".
func measuredServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		f, _ := w.(http.Flusher)
		send := func(frame string) {
			_, _ = fmt.Fprint(w, frame)
			f.Flush()
		}
		stamp := func() string { return fmt.Sprintf("%.3f", float64(time.Now().UnixMicro())/1e3) }
		switch r.URL.Path {
		case "/measured":
			send("retry: 1000\n\n: hb\n\n")
			for _, id := range []int{1, 2, 4, 4, 5} {
				send(fmt.Sprintf("id: %d\nevent: tick\ndata: {\"seq\":%d,\"t\":%s,\"topic\":\"\",\"p\":\"xx\"}\n\n", id, id, stamp()))
			}
			send("event: lost\ndata: {\"lost\":3,\"from\":6,\"to\":8}\n\n")
			send(fmt.Sprintf("id: 9\nevent: tick\ndata: {\"seq\":9,\"t\":%s}\n\n", stamp()))
		case "/badstamp":
			send("id: 1\ndata: {\"seq\":1,\"t\":\"later\"}\n\nid: 2\ndata: {\"seq\":2,\"t\":1}\n\n")
		case "/forever":
			for i := 1; ; i++ {
				send(fmt.Sprintf("id: %d\ndata: {\"t\":%s}\n\n", i, stamp()))
				select {
				case <-r.Context().Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		default:
			http.Error(w, "nope", http.StatusTeapot)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// drain sums the samples' values per metric, and per "metric{tag=value}"
// for the tag given; it also counts samples per metric as "#metric".
func drain(t *testing.T, samples chan metrics.SampleContainer, tag string) map[string]float64 {
	t.Helper()
	got := map[string]float64{}
	for len(samples) > 0 {
		for _, s := range (<-samples).GetSamples() {
			got[s.Metric.Name] += s.Value
			got["#"+s.Metric.Name]++
			if v, ok := s.Tags.Get(tag); ok {
				got[fmt.Sprintf("%s{%s=%s}", s.Metric.Name, tag, v)] += s.Value
			}
			if _, hasURL := s.Tags.Get("url"); hasURL && strings.HasPrefix(s.Metric.Name, "sse_") &&
				s.Metric.Name != MetricEvents && s.Metric.Name != MetricOpenDuration && s.Metric.Name != MetricStreamDuration {
				t.Errorf("%s carries the request's url tag; measured metrics carry the stream's tags only", s.Metric.Name)
			}
		}
	}
	return got
}

func TestMeasureWithoutHandlers(t *testing.T) {
	rt, samples := newTestVU(t)
	srv := measuredServer(t)
	v, err := rt.VU.Runtime().RunString(fmt.Sprintf(`
		const res = sse.open(%q, { tags: { k: 'v' }, measure: true }, () => {});
		const m = res.measure;
		JSON.stringify([res.end_reason, res.error_code, m.events, m.gaps, m.duplicates, m.last_id,
			typeof m.opened_at, m.first_event_at >= m.opened_at]);
	`, srv.URL+"/measured"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `["server",0,6,4,1,9,"number",true]`; v.String() != want {
		t.Fatalf("got %s, want %s", v, want)
	}
	got := drain(t, samples, "k")
	want := map[string]float64{
		MetricMeasuredEvents: 6, "sse_events{k=v}": 6, MetricGaps: 4, MetricDuplicates: 1,
		"#" + MetricDeliveryLatency: 6, "#" + MetricFirstEvent: 1, "#" + MetricConnectTime: 1,
		"#" + MetricReconnectTime: 0, MetricEvents: 7, // the module's own counter includes the loss notice
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if avg := got[MetricDeliveryLatency] / 6; avg < 0 || avg > 1000 {
		t.Errorf("mean delivery latency %v ms on loopback", avg)
	}
}

// With an 'event' handler the handler sees exactly the events measured, so
// a JavaScript meter and the Go one agree on the same stream.
func TestMeasureBesideAnEventHandler(t *testing.T) {
	rt, samples := newTestVU(t)
	srv := measuredServer(t)
	v, err := rt.VU.Runtime().RunString(fmt.Sprintf(`
		let seen = 0, latencySum = 0;
		const res = sse.open(%q, { measure: { maxEvents: 20 } }, (c) => {
			c.on('event', (e) => {
				seen++;
				if (e.name !== 'lost') latencySum += e.receivedAt - JSON.parse(e.data).t;
			});
		});
		JSON.stringify([res.end_reason, seen, res.measure.events, latencySum]);
	`, srv.URL+"/forever"))
	if err != nil {
		t.Fatal(err)
	}
	var reason string
	var seen, events int
	var jsSum float64
	if _, err := fmt.Sscanf(strings.NewReplacer("[", "", "]", "", ",", " ", `"`, "").Replace(v.String()), "%s %d %d %g", &reason, &seen, &events, &jsSum); err != nil {
		t.Fatalf("%s: %v", v, err)
	}
	if reason != "client" || seen != 20 || events != 20 {
		t.Fatalf("got %s: want the stream closed by maxEvents after 20 events, all seen by the handler", v)
	}
	if goSum := drain(t, samples, "")[MetricDeliveryLatency]; goSum-jsSum > 1e-6 || jsSum-goSum > 1e-6 {
		t.Errorf("latency sums differ: Go %v, JS %v", goSum, jsSum)
	}
}

func TestMeasureMalformedStampFailsTheStream(t *testing.T) {
	rt, samples := newTestVU(t)
	srv := measuredServer(t)
	v, err := rt.VU.Runtime().RunString(fmt.Sprintf(`
		let told = '';
		const res = sse.open(%q, { measure: true }, (c) => { c.on('error', (e) => { told = e.error(); }); });
		[res.end_reason, res.error_code, res.measure.events, told.includes('numeric "t"')].join(',');
	`, srv.URL+"/badstamp"))
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "error,1700,0,true" {
		t.Fatalf("got %s", v)
	}
	if got := drain(t, samples, ""); got["#"+MetricGaps] != 1 || got[MetricMeasuredEvents] != 0 {
		t.Errorf("want one sse_gaps sample and no event counted, got %v", got)
	}
}

func TestMeasureParamErrors(t *testing.T) {
	rt, _ := newTestVU(t)
	for js, want := range map[string]string{
		`{ measure: { stamps: 't' } }`:    `unknown measure option "stamps"`,
		`{ measure: { maxEvents: -1 } }`:  `measure.maxEvents must be a finite number >= 0`,
		`{ measure: { maxEvents: 1.5 } }`: `measure.maxEvents must be a whole number`,
		`{ measure: { holdMs: 'x' } }`:    `measure.holdMs must be a number`,
		`{ measure: 'yes' }`:              `measure must be true, false or an object`,
	} {
		_, err := rt.VU.Runtime().RunString(fmt.Sprintf(`sse.open('http://127.0.0.1:1/', %s, () => {})`, js))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", js, err, want)
		}
	}
}

func TestFeaturesAreExported(t *testing.T) {
	rt, _ := newTestVU(t)
	v, err := rt.VU.Runtime().RunString(`[sse.features.measure, sse.features.openAsync, typeof sse.openAsync].join(',')`)
	if err != nil || v.String() != "true,true,function" {
		t.Fatalf("got %v, %v", v, err)
	}
}
