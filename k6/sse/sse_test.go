package sse

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.k6.io/k6/js/modulestest"
	"go.k6.io/k6/lib"
	"go.k6.io/k6/lib/netext"
	"go.k6.io/k6/lib/types"
	"go.k6.io/k6/metrics"
	"gopkg.in/guregu/null.v3"
)

// newTestVU returns a VU (in its VU context, with sse bound as a global)
// and the channel its samples go to.
func newTestVU(t *testing.T) (*modulestest.Runtime, chan metrics.SampleContainer) {
	t.Helper()
	rt := modulestest.NewRuntime(t)
	m := New().NewModuleInstance(rt.VU)
	if err := rt.VU.Runtime().Set("sse", m.Exports().Default); err != nil {
		t.Fatal(err)
	}
	registry := metrics.NewRegistry()
	samples := make(chan metrics.SampleContainer, 10_000)
	rt.MoveToVUContext(&lib.State{
		Options: lib.Options{
			SystemTags: metrics.NewSystemTagSet(metrics.TagURL, metrics.TagStatus, metrics.TagMethod),
			UserAgent:  null.StringFrom("tidemark-test"),
		},
		Dialer: netext.NewDialer(net.Dialer{Timeout: 2 * time.Second},
			netext.NewResolver(net.LookupIP, 0, types.DNSfirst, types.DNSpreferIPv4)),
		Samples:        samples,
		BuiltinMetrics: metrics.RegisterBuiltinMetrics(registry),
		Tags:           lib.NewVUStateTags(registry.RootTagSet()),
	})
	return rt, samples
}

func streamServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/three":
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = fmt.Fprint(w, ": hi\n\nid: 1\nevent: a\ndata: x\n\n: beat\n\nid: 2\ndata: y\ndata: z\n\nevent: b\ndata: w\n\n")
		case "/forever":
			w.Header().Set("Content-Type", "text/event-stream")
			f, _ := w.(http.Flusher)
			for i := 0; ; i++ {
				if _, err := fmt.Fprintf(w, "id: %d\ndata: tick\n\n", i); err != nil {
					return
				}
				f.Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		default:
			http.Error(w, "nope", http.StatusTeapot)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEventsCommentsAndServerEnd(t *testing.T) {
	rt, samples := newTestVU(t)
	srv := streamServer(t)
	v, err := rt.VU.Runtime().RunString(fmt.Sprintf(`
		const got = [];
		let opened = 0;
		const res = sse.open(%q, { tags: { k: 'v' } }, (c) => {
			c.on('open', () => { opened++; });
			c.on('event', (e) => { got.push([e.id, e.name, e.data, typeof e.receivedAt].join('|')); });
		});
		JSON.stringify({ got, opened, status: res.status, end: res.end_reason, err: res.error, code: res.error_code });
	`, srv.URL+"/three"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"got":["1|a|x|number","2||y\nz|number","2|b|w|number"],"opened":1,"status":200,"end":"server","err":"","code":0}`
	if v.String() != want {
		t.Fatalf("got  %s\nwant %s", v.String(), want)
	}
	// Counters are pushed in batches: what counts is their sum.
	events := 0.0
	for len(samples) > 0 {
		for _, s := range (<-samples).GetSamples() {
			if s.Metric.Name == MetricEvents {
				events += s.Value
				if tag, _ := s.Tags.Get("k"); tag != "v" {
					t.Errorf("sse_event sample lacks the user tag: %v", s.Tags.Map())
				}
			}
		}
	}
	if events != 3 {
		t.Errorf("sse_event total: got %v, want 3", events)
	}
}

func TestBadStatusCallsErrorHandlerWithoutThrowing(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := streamServer(t)
	v, err := rt.VU.Runtime().RunString(fmt.Sprintf(`
		let seen = '';
		const res = sse.open(%q, (c) => { c.on('error', (e) => { seen = e.code + ' ' + e.error(); }); });
		[res.status, res.error_code, res.end_reason, seen.startsWith('1418 unexpected HTTP status 418')].join(',');
	`, srv.URL+"/nope"))
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "418,1418,error,true" {
		t.Fatalf("got %s", v.String())
	}
}

func TestCloseAndTimeoutEndAnEndlessStream(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := streamServer(t)
	start := time.Now()
	v, err := rt.VU.Runtime().RunString(fmt.Sprintf(`
		let n = 0;
		const a = sse.open(%[1]q, (c) => { c.on('event', () => { if (++n === 3) c.close(); }); });
		const b = sse.open(%[1]q, { timeout: 150 }, () => {});
		[a.end_reason, n, b.end_reason, b.error].join(',');
	`, srv.URL+"/forever"))
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "client,3,timeout," {
		t.Fatalf("got %s", v.String())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestVUContextEndUnblocksOpen(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := streamServer(t)
	time.AfterFunc(200*time.Millisecond, rt.CancelContext)
	start := time.Now()
	v, err := rt.VU.Runtime().RunString(fmt.Sprintf(`sse.open(%q, () => {}).end_reason`, srv.URL+"/forever"))
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "interrupted" {
		t.Fatalf("got %s", v.String())
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("open() returned %v after the VU context ended, want promptly", d-200*time.Millisecond)
	}
}

func TestHandlerExceptionPropagates(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := streamServer(t)
	_, err := rt.VU.Runtime().RunString(fmt.Sprintf(
		`sse.open(%q, (c) => { c.on('event', () => { throw new Error('boom'); }); })`, srv.URL+"/forever"))
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("want the handler's exception, got %v", err)
	}
}
