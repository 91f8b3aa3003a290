package sse

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/lib"
)

var errInitContext = common.NewInitContextError("sse.open() can't be called in the init context; call it from a VU function")

// open implements sse.open(url, [params], fn): the stream is read on the VU
// goroutine, and open() returns once it has ended.
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
	// The handler registers its callbacks before the request is sent, so the
	// 'error' callback also sees connection failures and bad statuses.
	s := newStream(rt)
	if _, err := p.setup(sobek.Undefined(), s.clientObject()); err != nil {
		common.Throw(rt, err)
	}
	r := newStreamRun(mi, state, p, s, vuThread{}, mi.vu.Context())
	if err := r.run(mi.client(state)); err != nil {
		// A handler threw: rethrow it unchanged (common.Throw keeps exceptions as they are).
		common.Throw(rt, err)
	}
	return r.res.toJS(rt, r.meter)
}

// result is the value open() returns (openAsync() resolves to).
type result struct {
	url       string
	status    int
	headers   map[string]string
	err       *streamError
	endReason string
}

func (r *result) toJS(rt *sobek.Runtime, mt *meter) *sobek.Object {
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
	if mt != nil {
		_ = o.Set("measure", mt.summaryJS(rt))
	}
	return o
}

// client returns an http.Client on this VU's transport; VU goroutine only.
// The client itself is made per call because k6 replaces the cookie jar
// between iterations.
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
			// A stream writes one small request and then only reads: the
			// default 4 KiB write buffer per connection would mostly sit idle.
			WriteBufferSize: 1 << 10,
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

// Compile-time check that streamError is an error.
var _ error = (*streamError)(nil)
