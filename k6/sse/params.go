package sse

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/lib"
	"go.k6.io/k6/metrics"
)

// maxEventSize bounds the bytes of one event (all its lines). go-sse's
// default is 64 KiB; streams carrying bigger payloads are still legitimate.
const maxEventSize = 1 << 20

// openParams is what sse.open(url, [params], fn) was called with.
type openParams struct {
	url     string
	setup   sobek.Callable
	method  string
	headers http.Header
	body    string
	timeout time.Duration // 0: no limit
	// tags are the VU's tags plus params.tags; the request's system tags
	// (url, method, name, status) are added on top for the module's own metrics.
	tags    metrics.TagsAndMeta
	measure *measureParams // nil: measuring off
}

func parseOpenArgs(rt *sobek.Runtime, state *lib.State, args []sobek.Value) (*openParams, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, errors.New("sse.open(url, [params], handler) takes 2 or 3 arguments")
	}
	urlV := args[0]
	if sobek.IsUndefined(urlV) || sobek.IsNull(urlV) {
		return nil, errors.New("sse.open(): the url is missing")
	}
	setup, ok := sobek.AssertFunction(args[len(args)-1])
	if !ok {
		return nil, errors.New("sse.open(): the last argument must be a function receiving the client")
	}

	p := &openParams{
		url:     urlV.String(),
		setup:   setup,
		method:  http.MethodGet,
		headers: make(http.Header),
		tags:    state.Tags.GetCurrentValues(),
	}
	if ua := state.Options.UserAgent; ua.Valid && ua.String != "" {
		p.headers.Set("User-Agent", ua.String)
	}
	if len(args) == 3 {
		if err := p.applyParams(rt, args[1]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *openParams) applyParams(rt *sobek.Runtime, v sobek.Value) error {
	if sobek.IsUndefined(v) || sobek.IsNull(v) {
		return nil
	}
	obj := v.ToObject(rt)
	for _, key := range obj.Keys() {
		val := obj.Get(key)
		if sobek.IsUndefined(val) || sobek.IsNull(val) {
			continue
		}
		switch key {
		case "method":
			p.method = strings.ToUpper(strings.TrimSpace(val.String()))
		case "headers":
			h := val.ToObject(rt)
			for _, name := range h.Keys() {
				p.headers.Set(name, h.Get(name).String())
			}
		case "body":
			p.body = val.String()
		case "tags":
			if err := common.ApplyCustomUserTags(rt, &p.tags, val); err != nil {
				return fmt.Errorf("sse.open(): invalid tags: %w", err)
			}
		case "timeout":
			d, err := parseTimeout(val)
			if err != nil {
				return err
			}
			p.timeout = d
		case "measure":
			m, err := parseMeasure(rt, val)
			if err != nil {
				return err
			}
			p.measure = m
		}
		// Other keys (for example xk6-sse's "jar") are accepted and ignored.
	}
	return nil
}

// parseTimeout accepts a Go duration string ("30s", "1m30s", "250ms") or a
// number of milliseconds, as k6's http module does. Zero means no limit.
func parseTimeout(v sobek.Value) (time.Duration, error) {
	switch x := v.Export().(type) {
	case int64:
		if x < 0 {
			return 0, fmt.Errorf("sse.open(): timeout must not be negative, got %d", x)
		}
		return time.Duration(x) * time.Millisecond, nil
	case float64:
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("sse.open(): timeout must be a non-negative number of ms, got %v", x)
		}
		return time.Duration(x * float64(time.Millisecond)), nil
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			return 0, fmt.Errorf("sse.open(): invalid timeout %q (use a duration such as \"30s\" or a number of ms): %w", x, err)
		}
		if d < 0 {
			return 0, fmt.Errorf("sse.open(): timeout must not be negative, got %q", x)
		}
		return d, nil
	default:
		return 0, fmt.Errorf("sse.open(): timeout must be a duration string or a number of ms, got %s", v.String())
	}
}
