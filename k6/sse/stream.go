package sse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	gosse "github.com/tmaxmax/go-sse"

	"go.k6.io/k6/lib"
	"go.k6.io/k6/metrics"
)

// Why a stream ended; the response's end_reason.
const (
	endClient      = "client"      // client.close() was called, or a measure close rule was met
	endServer      = "server"      // the server ended the response body cleanly
	endTimeout     = "timeout"     // the `timeout` param elapsed while the stream was open
	endInterrupted = "interrupted" // the VU's context ended (test end, gracefulStop elapsed, abort)
	endError       = "error"       // connection failure, non-200 status or a broken stream
)

// streamRun is one stream from request to end, run by the goroutine that
// reads it: the VU goroutine for open(), a goroutine of its own for
// openAsync(). JavaScript runs only through js. A returned error is an
// exception a handler threw.
type streamRun struct {
	mi    *instance
	state *lib.State
	p     *openParams
	s     *stream
	js    jsThread
	vuCtx context.Context
	res   *result
	meter *meter // nil unless params.measure
}

func newStreamRun(mi *instance, state *lib.State, p *openParams, s *stream, js jsThread, vuCtx context.Context) *streamRun {
	return &streamRun{
		mi: mi, state: state, p: p, s: s, js: js, vuCtx: vuCtx,
		res: &result{url: p.url, headers: map[string]string{}},
	}
}

func (r *streamRun) run(client *http.Client) error {
	p, res := r.p, r.res
	batch := newSampleBatch(r.vuCtx, r.state.Samples)
	if p.measure != nil {
		r.meter = newMeter(p.measure, &r.mi.metrics.measure, &p.tags, batch, p.headers.Get("Last-Event-ID"))
	}
	tags := p.tags
	var start time.Time
	opened := false
	defer func() {
		end := time.Now()
		if opened {
			batch.sample(r.mi.metrics.streamDuration, &tags, end, metrics.D(end.Sub(start)))
		}
		if r.meter != nil {
			r.meter.finish(end)
		}
		batch.flush()
	}()

	if r.s.closed.Load() { // closed by the setup function
		res.endReason = endClient
		return nil
	}
	ctx, cancel := context.WithCancel(r.vuCtx)
	if p.timeout > 0 {
		cancel()
		ctx, cancel = context.WithTimeout(r.vuCtx, p.timeout)
	}
	defer cancel()
	r.s.setCancel(cancel)

	req, err := http.NewRequestWithContext(ctx, p.method, p.url, strings.NewReader(p.body))
	if err != nil {
		return r.fail(&streamError{codeInvalidURL, err.Error()})
	}
	req.Header = p.headers.Clone()
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/event-stream")
	}
	if req.Header.Get("Cache-Control") == "" {
		req.Header.Set("Cache-Control", "no-cache")
	}

	enabled := r.state.Options.SystemTags
	tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagURL, p.url)
	tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagMethod, p.method)
	if _, named := tags.Tags.Get("name"); !named {
		tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagName, p.url)
	}

	start = time.Now()
	if r.meter != nil {
		r.meter.start = start
	}
	resp, err := client.Do(req) //nolint:bodyclose // closed in read or below
	if err != nil {
		switch {
		case r.s.closed.Load():
			res.endReason = endClient
			return nil
		case r.vuCtx.Err() != nil:
			res.endReason = endInterrupted
			return nil
		}
		return r.fail(classify(err))
	}
	opened = true
	openedAt := time.Now()
	res.status = resp.StatusCode
	res.url = resp.Request.URL.String()
	for k, vs := range resp.Header {
		res.headers[k] = strings.Join(vs, ", ")
	}
	tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagStatus, strconv.Itoa(resp.StatusCode))
	batch.sample(r.mi.metrics.openDuration, &tags, openedAt, metrics.D(openedAt.Sub(start)))

	if resp.StatusCode != http.StatusOK {
		_ = resp.Body.Close()
		return r.fail(&streamError{
			codeStatusBase + resp.StatusCode,
			fmt.Sprintf("unexpected HTTP status %d %s from %s (an event stream answers 200)",
				resp.StatusCode, http.StatusText(resp.StatusCode), res.url),
		})
	}
	if r.meter != nil {
		r.meter.opened(openedAt)
	}
	batch.flush() // the stream's once-only samples go out now; events are batched from here
	if r.s.has("open") {
		if err := r.js.run(func() error { return r.s.fire("open") }); err != nil {
			_ = resp.Body.Close()
			return r.handlerFailed(err)
		}
	}
	if r.s.closed.Load() {
		_ = resp.Body.Close()
		res.endReason = endClient
		return nil
	}
	return r.read(ctx, resp.Body, batch, &tags)
}

// read parses events until the stream ends. Without an 'event' handler no
// JavaScript runs here at all.
func (r *streamRun) read(ctx context.Context, body io.ReadCloser, batch *sampleBatch, tags *metrics.TagsAndMeta) error {
	defer func() { _ = body.Close() }()
	eventCount := batch.counter(r.mi.metrics.events, tags)
	cfg := &gosse.ReadConfig{MaxEventSize: maxEventSize}
	for ev, err := range gosse.Read(body, cfg) {
		if err != nil {
			return r.readFailed(ctx, err)
		}
		at := time.Now()
		batch.add(eventCount, at, 1)
		done := false
		if r.meter != nil {
			var malformed *streamError
			if done, malformed = r.meter.observe(&ev, at); malformed != nil {
				return r.fail(malformed)
			}
		}
		if r.s.has("event") {
			if err := r.js.run(func() error { return r.s.fire("event", r.s.eventObject(&ev, at)) }); err != nil {
				return r.handlerFailed(err)
			}
		}
		if done || r.s.closed.Load() {
			r.res.endReason = endClient
			return nil
		}
	}
	r.res.endReason = endServer
	return nil
}

// readFailed sorts out why reading stopped with err.
func (r *streamRun) readFailed(ctx context.Context, err error) error {
	switch {
	case r.s.closed.Load(): // client.close() from a timer aborted the read
		r.res.endReason = endClient
	case r.vuCtx.Err() != nil:
		r.res.endReason = endInterrupted
	case ctx.Err() != nil:
		r.res.endReason = endTimeout
	default:
		return r.fail(classify(err))
	}
	return nil
}

// fail reports e to the 'error' handlers and records it in the result. It
// returns the error a handler threw, if any.
func (r *streamRun) fail(e *streamError) error {
	r.res.err = e
	r.res.endReason = endError
	if !r.s.has("error") {
		return nil
	}
	if err := r.js.run(func() error { return r.s.fire("error", r.s.errorObject(e)) }); err != nil {
		return r.handlerFailed(err)
	}
	return nil
}

// handlerFailed turns a handler's outcome into the stream's: an exception
// propagates; a VU that ended while the handler waited ends the stream.
func (r *streamRun) handlerFailed(err error) error {
	if errors.Is(err, errVUEnded) {
		if r.res.endReason == "" { // an 'error' handler keeps the error it was told about
			r.res.endReason = endInterrupted
		}
		return nil
	}
	return err
}
