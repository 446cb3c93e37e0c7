package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Fault is what a failed send means for the letter and for the batch. It
// is decided once, by classify; the outbox branches on it and on nothing
// else.
type Fault int

const (
	// Blocked is a fault of ours or of our session, not of the letter: a
	// missing secret, TLS, DNS, AUTH, a 5xx to MAIL FROM, or any local
	// error. Sending stops and every letter waits, to go at once when the
	// fault is fixed. It is the zero value: an error nobody recognised
	// stops sending rather than fail a letter or send one twice.
	Blocked Fault = iota
	// Unavailable: the network failed before the letter's data went (a
	// refused, reset or timed-out connection), or the server will not take
	// mail now (4xx outside the letter's RCPT TO and DATA). The letter
	// waits with backoff; the batch pauses instead of trying each letter.
	Unavailable
	// Deferred: a 4xx reply to the letter's own RCPT TO or DATA. The letter
	// waits with backoff; the others go on.
	Deferred
	// Refused: a 5xx reply to the letter's own RCPT TO or DATA. The letter
	// fails for good.
	Refused
	// InDoubt: the connection failed after the letter's data was sent and
	// before the server's reply, so the server may have taken it.
	InDoubt
)

func (f Fault) String() string {
	switch f {
	case Blocked:
		return "blocked"
	case Unavailable:
		return "unavailable"
	case Deferred:
		return "deferred"
	case Refused:
		return "refused"
	case InDoubt:
		return "in doubt"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// SendError is a failed send, classified.
type SendError struct {
	Fault Fault
	// Code is the SMTP reply code (0 if the server did not reply).
	Code int
	// Text is what the server said, or what failed.
	Text string
	// Fix says what to change, for a Blocked fault.
	Fix string
	Err error
}

func (e *SendError) Error() string {
	if e.Fix != "" {
		return e.Text + ": " + e.Fix
	}
	return e.Text
}

func (e *SendError) Unwrap() error { return e.Err }

// stage is where in a session an error happened; the same reply means
// different things at different stages (a 535 to AUTH is ours to fix, a
// 550 to RCPT TO is the letter's).
type stage int

const (
	// stageLocal: anything before or outside the SMTP conversation (the
	// secret, the client's options, composing and storing the letter).
	stageLocal stage = iota
	// stageConnect: TCP, TLS, the greeting, EHLO and STARTTLS.
	stageConnect
	// stageAuth: the AUTH exchange.
	stageAuth
	// stageSend: one letter's transaction; go-mail's SendError says which
	// command failed.
	stageSend
)

// classify is the one place where a sending error is judged. The rule:
// only a 5xx reply to a letter's own RCPT TO or DATA fails the letter;
// a 4xx reply there defers it; the network failing is temporary; the
// network failing after the data is in doubt; anything else, and any
// error nobody recognises, is a fault of ours that blocks sending. An
// error already classified is returned as it is.
func classify(st stage, err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	out := &SendError{Fault: Blocked, Text: strings.TrimSpace(err.Error()), Err: err}
	if st == stageLocal {
		return out
	}
	var ge *gomail.SendError
	if errors.As(err, &ge) {
		// go-mail keeps the server's reply to itself; its code (0 when
		// the server did not reply: the connection failed) and the
		// command that failed are all it tells.
		out.Code = ge.ErrorCode()
		if t := serverText(ge); t != "" {
			out.Text = t
		}
		out.Fault = sendFault(ge.Reason, out.Code)
		return out
	}
	var reply *textproto.Error
	isReply := errors.As(err, &reply)
	if isReply {
		out.Code = reply.Code
	}
	var te *txError
	if errors.As(err, &te) {
		// Our own transaction (SMTP.transact): the command that failed
		// and the server's reply, if it replied.
		if isReply {
			out.Text = strings.TrimSpace(reply.Error())
		}
		out.Fault = sendFault(te.reason, out.Code)
		return out
	}
	switch {
	case errors.Is(err, context.Canceled):
		// The run is being stopped; the outbox sees its context is done.
		out.Fault = Unavailable
	case isTLSFault(err):
		// The certificate or the TLS set-up: a configuration to fix.
		out.Fault = Blocked
	case isReply && st == stageAuth:
		// Any reply to AUTH (535 and the like): the login is refused.
		out.Fault = Blocked
	case isReply && reply.Code >= 400 && reply.Code < 500:
		// 421 and the like to the greeting or EHLO: busy, come back.
		out.Fault = Unavailable
	case isReply:
		out.Fault = Blocked
	case isDNSNotFound(err):
		out.Fault = Blocked
	case isNetwork(err):
		out.Fault = Unavailable
	}
	return out
}

// sendFault judges a failure of one letter's transaction by the command
// that failed and the server's reply code (0: no reply).
func sendFault(r gomail.SendErrReason, code int) Fault {
	permanent, temporary := code >= 500 && code < 600, code >= 400 && code < 500
	switch r {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrWriteContent:
		switch {
		case permanent:
			return Refused
		case temporary:
			return Deferred
		}
		// The data had not all gone: the server cannot have taken it.
		return Unavailable
	case gomail.ErrSMTPDataClose:
		switch {
		case permanent:
			return Refused
		case temporary:
			return Deferred
		}
		return InDoubt
	case gomail.ErrSMTPMailFrom:
		if permanent {
			// The server will not take mail from our address at all.
			return Blocked
		}
		return Unavailable
	case gomail.ErrConnCheck, gomail.ErrSMTPReset:
		return Unavailable
	}
	// ErrGetSender, ErrGetRcpts, ErrNoUnencoded, ErrAmbiguous: ours.
	return Blocked
}

func isTLSFault(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		header   tls.RecordHeaderError
		alert    tls.AlertError
		ech      *tls.ECHRejectionError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &header) || errors.As(err, &alert) || errors.As(err, &ech)
}

func isDNSNotFound(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// isNetwork: the connection was refused, reset, timed out or closed.
func isNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, context.DeadlineExceeded)
}

// serverText is the server's own words from a go-mail error, for people:
// go-mail writes "<command>: <reply>, affected recipient(s): ...".
func serverText(ge *gomail.SendError) string {
	s := strings.TrimSpace(ge.Error())
	s = strings.TrimPrefix(s, ge.Reason.String()+": ")
	if i := strings.Index(s, ", affected "); i >= 0 {
		s = s[:i]
	}
	return s
}
