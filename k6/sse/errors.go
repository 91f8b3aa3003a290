package sse

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
)

// Error codes put in the response's error_code and the error event's code.
// They reuse the numbers of k6's http module where one fits, so a script can
// treat both alike (https://grafana.com/docs/k6/latest/javascript-api/error-codes/).
const (
	codeNone         = 0
	codeGeneric      = 1000 // anything not classified below
	codeInvalidURL   = 1020
	codeTimeout      = 1050 // no response headers within the `timeout` param
	codeDNS          = 1100
	codeTCP          = 1200
	codeDial         = 1210
	codeDialTimeout  = 1211
	codeDialRefused  = 1212
	codeResetByPeer  = 1220
	codeStreamFormat = 1700 // the body is not a valid event stream (for example an event over maxEventSize)
	// codeStatusBase + status for any response status other than 200
	// (k6 uses 1000 + status for 4xx and 5xx).
	codeStatusBase = 1000
)

// streamError is what the 'error' handler receives and what fills the
// response's error and error_code.
type streamError struct {
	code int
	msg  string
}

func (e *streamError) Error() string { return e.msg }

// classify maps a transport or read error to a code and a message.
func classify(err error) *streamError {
	var (
		dnsErr *net.DNSError
		opErr  *net.OpError
		urlErr *url.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &streamError{codeTimeout, "request timeout: no response before the timeout param elapsed"}
	case errors.Is(err, bufio.ErrTooLong):
		return &streamError{codeStreamFormat, fmt.Sprintf("event larger than %d bytes", maxEventSize)}
	case errors.As(err, &dnsErr):
		return &streamError{codeDNS, err.Error()}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &streamError{codeDialRefused, err.Error()}
	case errors.Is(err, syscall.ECONNRESET):
		return &streamError{codeResetByPeer, err.Error()}
	case errors.As(err, &opErr):
		if opErr.Op == "dial" {
			if opErr.Timeout() {
				return &streamError{codeDialTimeout, err.Error()}
			}
			return &streamError{codeDial, err.Error()}
		}
		return &streamError{codeTCP, err.Error()}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &streamError{codeGeneric, "stream cut before its end (unexpected EOF)"}
	case errors.As(err, &urlErr) && urlErr.Err != nil && urlErr.Op == "parse":
		return &streamError{codeInvalidURL, err.Error()}
	default:
		return &streamError{codeGeneric, err.Error()}
	}
}
