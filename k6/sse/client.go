package sse

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/sobek"
	gosse "github.com/tmaxmax/go-sse"
)

// stream is the JavaScript-facing state of one open() or openAsync() call:
// the `client` object, its handlers, and whether client.close() was called.
// Handlers only ever run on the VU's JS thread, but the goroutine reading the
// stream asks has() on every event and openAsync's handlers may be added
// later: the handler set is copied on write and read without a lock.
type stream struct {
	rt       *sobek.Runtime
	handlers atomic.Pointer[handlerSet]
	closed   atomic.Bool
	mu       sync.Mutex
	cancel   context.CancelFunc // aborts the request; nil until it starts; guarded by mu
}

// handlerSet maps an event name to its handlers; never changed once published.
type handlerSet map[string][]sobek.Callable

func newStream(rt *sobek.Runtime) *stream {
	s := &stream{rt: rt}
	s.handlers.Store(&handlerSet{})
	return s
}

// has tells whether any handler is registered for name.
func (s *stream) has(name string) bool {
	return len((*s.handlers.Load())[name]) > 0
}

// on registers a handler; JS thread only.
func (s *stream) on(name string, fn sobek.Callable) {
	old := *s.handlers.Load()
	next := maps.Clone(old)
	// A full slice expression: append copies, so readers of old never see the change.
	next[name] = append(old[name][:len(old[name]):len(old[name])], fn)
	s.handlers.Store(&next)
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
	for _, h := range (*s.handlers.Load())[name] {
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
		s.on(name, fn)
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
