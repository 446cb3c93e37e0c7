package e2e

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// proxySourceIP is the loopback address the IMAP proxy connects to Dovecot
// from. Dovecot considers a connection "secured" (and then allows plaintext
// LOGIN before STARTTLS) when the client's IP equals the server's IP, which
// is always the case for 127.0.0.1 -> 127.0.0.1. Connecting from another
// loopback address makes "disable_plaintext_auth = yes" really bite.
const proxySourceIP = "127.0.0.2"

// tcpProxy forwards a loopback port to a backend. It is stopped together with
// Dovecot (its listener is closed, so clients get "connection refused" just as
// with a real server that is down) and restarted on the same port.
type tcpProxy struct {
	addr    string // 127.0.0.1:port clients connect to
	backend string // Dovecot's listener
	source  *net.TCPAddr

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newTCPProxy(ln net.Listener, backend string) *tcpProxy {
	p := &tcpProxy{addr: ln.Addr().String(), backend: backend, conns: map[net.Conn]struct{}{}}
	// Fall back to the kernel's choice if 127.0.0.2 cannot be bound (not
	// expected on Linux, where all of 127.0.0.0/8 is local).
	if probe, err := net.Listen("tcp", net.JoinHostPort(proxySourceIP, "0")); err == nil {
		probe.Close()
		p.source = &net.TCPAddr{IP: net.ParseIP(proxySourceIP)}
	}
	p.serve(ln)
	return p
}

// enforcesTLS reports whether Dovecot will see a non-local client address.
func (p *tcpProxy) enforcesTLS() bool { return p.source != nil }

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.handle(c)
			}()
		}
	}()
}

// restart listens on the proxy's address again (after stop).
func (p *tcpProxy) restart() error {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// closeListener stops accepting: new clients get "connection refused".
// Connections already forwarded keep going (until Dovecot drops them).
func (p *tcpProxy) closeListener() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
}

// stop closes the listener and every forwarded connection and waits for
// all goroutines.
func (p *tcpProxy) stop() {
	p.closeListener()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil { // stopping
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *tcpProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

func (p *tcpProxy) handle(client net.Conn) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if p.source != nil {
		d.LocalAddr = p.source
	}
	server, err := d.Dial("tcp", p.backend)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		client.Close()
		server.Close()
		return
	}
	defer p.untrack(client, server)

	var wg sync.WaitGroup
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		_, err := io.Copy(dst, src)
		if err == nil || errors.Is(err, net.ErrClosed) {
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
		}
		if err != nil {
			// A hard error on one side ends the whole session.
			dst.Close()
			src.Close()
		}
	}
	wg.Add(2)
	go pipe(server, client)
	go pipe(client, server)
	wg.Wait()
	client.Close()
	server.Close()
}
