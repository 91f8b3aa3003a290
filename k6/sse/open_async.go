package sse

import (
	"errors"

	"github.com/grafana/sobek"
	"github.com/mstoykov/k6-taskqueue-lib/taskqueue"
	"go.k6.io/k6/js/common"
)

// openAsync implements sse.openAsync(url, [params], fn): the same stream as
// open(), read on a goroutine of its own, returned as a Promise of the same
// result. The VU stays free meanwhile, so one VU can hold many streams
// (Promise.all) and timers run. Handlers run on the VU's event loop, one
// event at a time; with params.measure and no 'event' handler, no
// JavaScript runs per event.
func (mi *instance) openAsync(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	state := mi.vu.State()
	if state == nil {
		common.Throw(rt, errInitContext)
	}
	promise, resolve, reject := rt.NewPromise()
	p, err := parseOpenArgs(rt, state, call.Arguments)
	if err != nil {
		_ = reject(rt.NewGoError(err))
		return rt.ToValue(promise)
	}
	s := newStream(rt)
	if _, err := p.setup(sobek.Undefined(), s.clientObject()); err != nil {
		_ = reject(exceptionValue(rt, err))
		return rt.ToValue(promise)
	}
	client := mi.client(state) // here: the transport is made on the VU goroutine
	vuCtx := mi.vu.Context()
	tq := taskqueue.New(mi.vu.RegisterCallback)
	r := newStreamRun(mi, state, p, s, loopThread{tq: tq, vuCtx: vuCtx}, vuCtx)
	go func() {
		err := r.run(client)
		tq.Queue(func() error {
			if err != nil {
				return reject(exceptionValue(rt, err))
			}
			return resolve(r.res.toJS(rt, r.meter))
		})
		tq.Close()
	}()
	return rt.ToValue(promise)
}

// exceptionValue is what a rejected promise carries for err: a handler's
// exception unchanged, anything else as a GoError.
func exceptionValue(rt *sobek.Runtime, err error) sobek.Value {
	var ex *sobek.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	return rt.NewGoError(err)
}
