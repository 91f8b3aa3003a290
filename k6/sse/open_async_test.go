package sse

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestOpenAsyncHoldsManyStreamsOnOneVU(t *testing.T) {
	rt, samples := newTestVU(t)
	srv := measuredServer(t)
	if _, err := rt.RunOnEventLoop(fmt.Sprintf(`
		var out = '';
		const opens = [];
		for (let i = 0; i < 5; i++) {
			opens.push(sse.openAsync(%q, { tags: { k: 'v' }, measure: { maxEvents: 10 } }, () => {}));
		}
		Promise.all(opens).then((rs) => { out = rs.map((r) => r.end_reason + ':' + r.measure.events).join(','); });
	`, srv.URL+"/forever")); err != nil {
		t.Fatal(err)
	}
	out, _ := rt.VU.Runtime().RunString("out")
	if want := strings.Repeat("client:10,", 5); out.String()+"," != want {
		t.Fatalf("got %s", out)
	}
	if got := drain(t, samples, "k"); got["sse_events{k=v}"] != 50 || got["#"+MetricConnectTime] != 5 {
		t.Errorf("want 50 events and 5 connect times over the 5 streams, got %v", got)
	}
}

func TestOpenAsyncHandlersRunOnTheEventLoopInOrder(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := measuredServer(t)
	if _, err := rt.RunOnEventLoop(fmt.Sprintf(`
		var out = '';
		const ids = [];
		let opened = false;
		sse.openAsync(%q, (c) => {
			c.on('open', () => { opened = true; });
			c.on('event', (e) => { ids.push(e.id); if (ids.length === 3) c.close(); });
		}).then((r) => { out = [opened, r.end_reason, ids.join(' '), r.measure === undefined].join(','); });
	`, srv.URL+"/forever")); err != nil {
		t.Fatal(err)
	}
	if out, _ := rt.VU.Runtime().RunString("out"); out.String() != "true,client,1 2 3,true" {
		t.Fatalf("got %s", out)
	}
}

func TestOpenAsyncClosedFromATimer(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := measuredServer(t)
	start := time.Now()
	if _, err := rt.RunOnEventLoop(fmt.Sprintf(`
		var out = '';
		sse.openAsync(%q, { measure: true }, (c) => { setTimeout(() => c.close(), 100); })
			.then((r) => { out = r.end_reason + ',' + (r.measure.events > 0); });
	`, srv.URL+"/forever")); err != nil {
		t.Fatal(err)
	}
	if out, _ := rt.VU.Runtime().RunString("out"); out.String() != "client,true" {
		t.Fatalf("got %s", out)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestOpenAsyncRejectsWithTheHandlersException(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := measuredServer(t)
	if _, err := rt.RunOnEventLoop(fmt.Sprintf(`
		var thrown = '', badParams = '';
		sse.openAsync(%q, (c) => { c.on('event', () => { throw new Error('boom'); }); })
			.then(() => { thrown = 'resolved'; }, (e) => { thrown = 'rejected ' + e.message; });
		sse.openAsync(%q, { measure: { nope: 1 } }, () => {})
			.then(() => { badParams = 'resolved'; }, (e) => { badParams = String(e).includes('unknown measure option'); });
	`, srv.URL+"/forever", srv.URL+"/forever")); err != nil {
		t.Fatal(err)
	}
	if out, _ := rt.VU.Runtime().RunString("thrown + ' / ' + badParams"); out.String() != "rejected boom / true" {
		t.Fatalf("got %s", out)
	}
}

func TestOpenAsyncEndsWhenTheVUContextEnds(t *testing.T) {
	rt, _ := newTestVU(t)
	srv := measuredServer(t)
	time.AfterFunc(200*time.Millisecond, rt.CancelContext)
	start := time.Now()
	if _, err := rt.RunOnEventLoop(fmt.Sprintf(`
		var out = [];
		for (let i = 0; i < 3; i++) {
			sse.openAsync(%q, { measure: true }, (c) => { c.on('event', () => {}); })
				.then((r) => { out.push(r.end_reason); });
		}
	`, srv.URL+"/forever")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the event loop took %v to settle after the VU context ended", d)
	}
	if out, _ := rt.VU.Runtime().RunString("out.join(',')"); out.String() != "interrupted,interrupted,interrupted" {
		t.Fatalf("got %s", out)
	}
}
