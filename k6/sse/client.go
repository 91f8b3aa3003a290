package sse

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/sobek"
	gosse "github.com/tmaxmax/go-sse"
)

// stream is the JavaScript-facing state of one open() or openAsync() call:
// the `client` object, its handlers, and whether client.close() was called.
// Handlers only ever run on the VU's JS thread; the goroutine reading the
// stream asks has() and closed, hence the lock and the atomic.
type stream struct {
	rt       *sobek.Runtime
	mu       sync.Mutex
	handlers map[string][]sobek.Callable
	cancel   context.CancelFunc // aborts the request; nil until it starts
	closed   atomic.Bool
}

func newStream(rt *sobek.Runtime) *stream {
	return &stream{rt: rt, handlers: make(map[string][]sobek.Callable)}
}

// has tells whether any handler is registered for name.
func (s *stream) has(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.handlers[name]) > 0
}

// setCancel arms client.close() to abort the request (a pending connect or
// read, for instance when openAsync's client is closed from a timer).
func (s *stream) setCancel(cancel context.CancelFunc) {
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	if s.closed.Load() {
		cancel()
	}
}

func (s *stream) close() {
	s.closed.Store(true)
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// fire calls the handlers of name in order; JS thread only. It returns the
// error a handler threw.
func (s *stream) fire(name string, args ...sobek.Value) error {
	s.mu.Lock()
	hs := s.handlers[name]
	s.mu.Unlock()
	for _, h := range hs {
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
		s.mu.Lock()
		s.handlers[name] = append(s.handlers[name], fn)
		s.mu.Unlock()
		return sobek.Undefined()
	})
	_ = o.Set("close", s.close)
	return o
}

func (s *stream) eventObject(ev *gosse.Event, at time.Time) *sobek.Object {
	o := s.rt.NewObject()
	_ = o.Set("id", ev.LastEventID)
	_ = o.Set("name", ev.Type)
	_ = o.Set("data", ev.Data)
	_ = o.Set("receivedAt", float64(at.UnixMicro())/1e3)
	return o
}

func (s *stream) errorObject(e *streamError) *sobek.Object {
	o := s.rt.NewObject()
	_ = o.Set("error", func() string { return e.msg })
	_ = o.Set("code", e.code)
	return o
}
