package mailer

import (
	"bufio"
	"bytes"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultMode is how fakeSMTP misbehaves around a letter's DATA, where go-smtp
// gives a test no hook.
type faultMode int

const (
	behave faultMode = iota
	// The next three misbehave at the first command after the 250 to DATA:
	// the RSET go-mail sends, or foi's NOOP before its next letter, or QUIT.
	rset421         // 250 to DATA, then 421 to the next command and hang up
	rset554         // 250 to DATA, then 554 to the next command; the session goes on
	dropAfter250    // 250 to DATA, then hang up when the next command comes
	delayDataPast   // take the data, answer 250 only after delay (past smtp.timeout)
	dropBeforeReply // take the data, hang up without answering
)

func (m faultMode) String() string {
	return [...]string{"behave", "421 after 250", "554 after 250", "drop after 250", "250 later than the timeout", "drop before the reply"}[m]
}

// fakeSMTP is a scripted SMTP server on loopback (no TLS, no AUTH) that
// records the Message-ID of every letter it took responsibility for: a
// letter counts as accepted once its data is in, whether or not the
// client heard the 250.
type fakeSMTP struct {
	t     *testing.T
	ln    net.Listener
	mode  faultMode
	delay time.Duration

	mu       sync.Mutex
	accepted []string
	verbs    []string // every command, in order, across sessions
	conns    sync.WaitGroup
}

func startFakeSMTP(t *testing.T, mode faultMode, delay time.Duration) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{t: t, ln: ln, mode: mode, delay: delay}
	go f.serve()
	t.Cleanup(func() { ln.Close(); f.conns.Wait() })
	return f
}

func (f *fakeSMTP) port() int { return f.ln.Addr().(*net.TCPAddr).Port }

func (f *fakeSMTP) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.accepted...)
}

func (f *fakeSMTP) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.verbs...)
}

func (f *fakeSMTP) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.conns.Add(1)
		go func() {
			defer f.conns.Done()
			defer c.Close()
			f.session(c)
		}()
	}
}

func (f *fakeSMTP) session(c net.Conn) {
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	say := func(s string) bool { _, err := c.Write([]byte(s + "\r\n")); return err == nil }
	if !say("220 fake.test ESMTP") {
		return
	}
	afterData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		f.mu.Lock()
		f.verbs = append(f.verbs, verb)
		f.mu.Unlock()
		if afterData {
			afterData = false
			switch f.mode {
			case rset421:
				say("421 4.3.0 closing")
				return
			case rset554:
				say("554 5.5.1 no")
				continue
			case dropAfter250:
				return
			}
		}
		switch verb {
		case "EHLO":
			say("250-fake.test\r\n250-8BITMIME\r\n250 PIPELINING")
		case "HELO", "MAIL", "RCPT", "NOOP":
			say("250 2.0.0 OK")
		case "RSET":
			say("250 2.0.0 Reset")
		case "QUIT":
			say("221 2.0.0 Bye")
			return
		case "DATA":
			say("354 go on")
			var data bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			id := "?"
			if m, err := mail.ReadMessage(&data); err == nil {
				id = strings.Trim(m.Header.Get("Message-Id"), "<>")
			}
			f.mu.Lock()
			f.accepted = append(f.accepted, id)
			f.mu.Unlock()
			switch f.mode {
			case dropBeforeReply:
				return
			case delayDataPast:
				time.Sleep(f.delay)
			}
			if !say("250 2.0.0 queued as " + id) {
				return
			}
			afterData = true
		default:
			say("502 5.5.2 what")
		}
	}
}
