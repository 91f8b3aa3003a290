package sse

import (
	"context"
	"errors"

	"github.com/mstoykov/k6-taskqueue-lib/taskqueue"
)

// jsThread runs f on the VU's JavaScript thread and returns f's error. The
// goroutine reading a stream calls handlers through it.
type jsThread interface {
	run(f func() error) error
}

// errVUEnded: the VU's context ended while a handler waited for its turn.
var errVUEnded = errors.New("the VU's iteration ended")

// vuThread is open()'s: the reading goroutine is the VU goroutine itself.
type vuThread struct{}

func (vuThread) run(f func() error) error { return f() }

// loopThread is openAsync()'s: f is queued on the VU's event loop and
// awaited, so events reach handlers one at a time and in order, and a
// client.close() in a handler takes effect before the next event.
type loopThread struct {
	tq    *taskqueue.TaskQueue
	vuCtx context.Context
}

func (t loopThread) run(f func() error) error {
	res := make(chan error, 1)
	t.tq.Queue(func() error {
		// k6 still runs queued tasks after an iteration ends; its handlers must not.
		if t.vuCtx.Err() != nil {
			res <- errVUEnded
			return nil
		}
		res <- f()
		return nil
	})
	select {
	case err := <-res:
		return err
	case <-t.vuCtx.Done():
		return errVUEnded
	}
}
