package sse

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	gosse "github.com/tmaxmax/go-sse"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/lib"
	"go.k6.io/k6/metrics"
)

// Why a stream ended; the response's end_reason.
const (
	endClient      = "client"      // client.close() was called
	endServer      = "server"      // the server ended the response body cleanly
	endTimeout     = "timeout"     // the `timeout` param elapsed while the stream was open
	endInterrupted = "interrupted" // the VU's context ended (test end, gracefulStop elapsed, abort)
	endError       = "error"       // connection failure, non-200 status or a broken stream
)

var errInitContext = common.NewInitContextError("sse.open() can't be called in the init context; call it from a VU function")

// parsed is one item the reader goroutine hands to the VU goroutine.
type parsed struct {
	event gosse.Event
	at    time.Time
	err   error
}

// stream is the state of one open() call. Only the VU goroutine touches it.
type stream struct {
	rt       *sobek.Runtime
	handlers map[string][]sobek.Callable
	closed   bool // client.close() was called
}

// open implements sse.open(url, [params], fn).
func (mi *instance) open(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	state := mi.vu.State()
	if state == nil {
		common.Throw(rt, errInitContext)
	}
	p, err := parseOpenArgs(rt, state, call.Arguments)
	if err != nil {
		common.Throw(rt, err)
	}
	res, err := mi.run(rt, state, p)
	if err != nil {
		// A handler threw: rethrow it unchanged (common.Throw keeps exceptions as they are).
		common.Throw(rt, err)
	}
	return res.toJS(rt)
}

// result is the value open() returns.
type result struct {
	url       string
	status    int
	headers   map[string]string
	err       *streamError
	endReason string
}

func (r *result) toJS(rt *sobek.Runtime) *sobek.Object {
	o := rt.NewObject()
	headers := rt.NewObject()
	for k, v := range r.headers {
		_ = headers.Set(k, v)
	}
	msg, code := "", codeNone
	if r.err != nil {
		msg, code = r.err.msg, r.err.code
	}
	_ = o.Set("url", r.url)
	_ = o.Set("status", r.status)
	_ = o.Set("headers", headers)
	_ = o.Set("error", msg)
	_ = o.Set("error_code", code)
	_ = o.Set("end_reason", r.endReason)
	return o
}

func (mi *instance) run(rt *sobek.Runtime, state *lib.State, p *openParams) (*result, error) {
	s := &stream{rt: rt, handlers: make(map[string][]sobek.Callable)}
	res := &result{url: p.url, headers: map[string]string{}}

	// The handler registers its callbacks before the request is sent, so the
	// 'error' callback also sees connection failures and bad statuses.
	if _, err := p.setup(sobek.Undefined(), s.clientObject()); err != nil {
		return nil, err
	}
	if s.closed {
		res.endReason = endClient
		return res, nil
	}

	vuCtx := mi.vu.Context()
	ctx, cancel := context.WithCancel(vuCtx)
	if p.timeout > 0 {
		ctx, cancel = context.WithTimeout(vuCtx, p.timeout)
	}
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, p.method, p.url, strings.NewReader(p.body))
	if err != nil {
		return res, s.fail(res, &streamError{codeInvalidURL, err.Error()})
	}
	req.Header = p.headers.Clone()
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/event-stream")
	}
	if req.Header.Get("Cache-Control") == "" {
		req.Header.Set("Cache-Control", "no-cache")
	}

	tags := p.tags
	enabled := state.Options.SystemTags
	tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagURL, p.url)
	tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagMethod, p.method)
	if _, named := tags.Tags.Get("name"); !named {
		tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagName, p.url)
	}

	start := time.Now()
	resp, err := mi.client(state).Do(req) //nolint:bodyclose // closed in readLoop or below
	if err != nil {
		if vuCtx.Err() != nil {
			res.endReason = endInterrupted
			return res, nil
		}
		return res, s.fail(res, classify(err))
	}
	opened := time.Now()
	res.status = resp.StatusCode
	res.url = resp.Request.URL.String()
	for k, vs := range resp.Header {
		res.headers[k] = strings.Join(vs, ", ")
	}
	tags.SetSystemTagOrMetaIfEnabled(enabled, metrics.TagStatus, strconv.Itoa(resp.StatusCode))
	mi.push(vuCtx, state, &tags, mi.metrics.openDuration, opened, metrics.D(opened.Sub(start)))
	defer func() {
		end := time.Now()
		mi.push(vuCtx, state, &tags, mi.metrics.streamDuration, end, metrics.D(end.Sub(start)))
	}()

	if resp.StatusCode != http.StatusOK {
		_ = resp.Body.Close()
		return res, s.fail(res, &streamError{
			codeStatusBase + resp.StatusCode,
			fmt.Sprintf("unexpected HTTP status %d %s from %s (an event stream answers 200)",
				resp.StatusCode, http.StatusText(resp.StatusCode), res.url),
		})
	}

	if err := s.fire("open"); err != nil {
		_ = resp.Body.Close()
		return nil, err
	}
	if s.closed {
		_ = resp.Body.Close()
		res.endReason = endClient
		return res, nil
	}
	return res, mi.readLoop(ctx, vuCtx, state, &tags, s, resp, res)
}

// readLoop runs on the VU goroutine until the stream ends. A goroutine reads
// and parses the body; every JS call happens here.
func (mi *instance) readLoop(
	ctx, vuCtx context.Context, state *lib.State, tags *metrics.TagsAndMeta,
	s *stream, resp *http.Response, res *result,
) error {
	items := make(chan parsed, 64)
	stop := make(chan struct{})
	go func() {
		defer close(items)
		cfg := &gosse.ReadConfig{MaxEventSize: maxEventSize}
		for ev, err := range gosse.Read(resp.Body, cfg) {
			select {
			case items <- parsed{event: ev, at: time.Now(), err: err}:
			case <-stop:
				return
			}
		}
	}()
	defer func() {
		// Closing the body unblocks a pending read; the reader then sees
		// stop closed (or finishes) and closes items.
		close(stop)
		_ = resp.Body.Close()
		for range items { //nolint:revive // drain until the reader has exited
		}
	}()

	ctxEnded := func() error {
		if vuCtx.Err() != nil {
			res.endReason = endInterrupted
		} else {
			res.endReason = endTimeout
		}
		return nil
	}

	for {
		select {
		case <-ctx.Done():
			return ctxEnded()
		case it, ok := <-items:
			if !ok {
				res.endReason = endServer
				return nil
			}
			if it.err != nil {
				if ctx.Err() != nil {
					return ctxEnded()
				}
				return s.fail(res, classify(it.err))
			}
			mi.push(vuCtx, state, tags, mi.metrics.events, it.at, 1)
			if err := s.fire("event", s.eventObject(it)); err != nil {
				return err
			}
			if s.closed {
				res.endReason = endClient
				return nil
			}
		}
	}
}

// client returns an http.Client on this VU's transport. The client itself is
// made per call because k6 replaces the cookie jar between iterations.
func (mi *instance) client(state *lib.State) *http.Client {
	if mi.transport == nil {
		var tlsConfig *tls.Config
		if state.TLSConfig != nil {
			tlsConfig = state.TLSConfig.Clone()
			tlsConfig.NextProtos = []string{"http/1.1"} // one stream per connection, as with EventSource over HTTP/1.1
		}
		mi.transport = &http.Transport{
			DialContext:        state.Dialer.DialContext, // k6's dialer: blocked hosts, DNS options, data_sent/received
			Proxy:              http.ProxyFromEnvironment,
			TLSClientConfig:    tlsConfig,
			DisableCompression: true, // gzip would buffer events and distort delivery latency
			DisableKeepAlives:  state.Options.NoConnectionReuse.Bool || state.Options.NoVUConnectionReuse.Bool,
			IdleConnTimeout:    30 * time.Second,
		}
	}
	maxRedirects := 10
	if state.Options.MaxRedirects.Valid {
		maxRedirects = int(state.Options.MaxRedirects.Int64)
	}
	c := &http.Client{
		Transport: mi.transport,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	if state.CookieJar != nil {
		c.Jar = state.CookieJar
	}
	return c
}

func (mi *instance) push(ctx context.Context, state *lib.State, tags *metrics.TagsAndMeta,
	m *metrics.Metric, at time.Time, value float64,
) {
	metrics.PushIfNotDone(ctx, state.Samples, metrics.Sample{
		TimeSeries: metrics.TimeSeries{Metric: m, Tags: tags.Tags},
		Time:       at,
		Metadata:   tags.Metadata,
		Value:      value,
	})
}

// fail reports err to the 'error' handlers and records it in the result.
// It returns the error a handler threw, if any.
func (s *stream) fail(res *result, err *streamError) error {
	res.err = err
	res.endReason = endError
	return s.fire("error", s.errorObject(err))
}

func (s *stream) fire(name string, args ...sobek.Value) error {
	for _, h := range s.handlers[name] {
		if _, err := h(sobek.Undefined(), args...); err != nil {
			return err
		}
	}
	return nil
}

// clientObject is the `client` given to open()'s function.
func (s *stream) clientObject() *sobek.Object {
	rt := s.rt
	o := rt.NewObject()
	_ = o.Set("on", func(call sobek.FunctionCall) sobek.Value {
		name := call.Argument(0).String()
		switch name {
		case "open", "event", "error":
		default:
			panic(rt.NewTypeError(fmt.Sprintf("client.on(): unknown event %q (use 'open', 'event' or 'error')", name)))
		}
		fn, ok := sobek.AssertFunction(call.Argument(1))
		if !ok {
			panic(rt.NewTypeError(fmt.Sprintf("client.on(%q, handler): the handler must be a function", name)))
		}
		s.handlers[name] = append(s.handlers[name], fn)
		return sobek.Undefined()
	})
	_ = o.Set("close", func() { s.closed = true })
	return o
}

func (s *stream) eventObject(it parsed) *sobek.Object {
	o := s.rt.NewObject()
	_ = o.Set("id", it.event.LastEventID)
	_ = o.Set("name", it.event.Type)
	_ = o.Set("data", it.event.Data)
	_ = o.Set("receivedAt", float64(it.at.UnixMicro())/1e3)
	return o
}

func (s *stream) errorObject(e *streamError) *sobek.Object {
	o := s.rt.NewObject()
	_ = o.Set("error", func() string { return e.msg })
	_ = o.Set("code", e.code)
	return o
}

// Compile-time check that streamError is an error.
var _ error = (*streamError)(nil)
