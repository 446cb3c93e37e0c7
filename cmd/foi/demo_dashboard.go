package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"foi/web"
)

// demoDashboard is the dashboard the demo serves on loopback.
type demoDashboard struct {
	url  string
	stop func()
}

// startDemoDashboard serves the dashboard over the demo's data, with the
// demo's clock, on addr (a loopback address, checked by the caller; port
// 0 takes a free one).
// With no volunteer accounts on loopback, the person at the machine is the
// user, as with foi serve.
func (a *app) startDemoDashboard(ctx context.Context, q *app, addr string) (*demoDashboard, error) {
	cfg, st, err := q.open(ctx)
	if err != nil {
		return nil, err
	}
	sch, err := newScheduler(ctx, cfg, st, q)
	if err != nil {
		st.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("demo: the dashboard cannot listen on %s: %w", addr, err)
	}
	srv, err := web.New(web.Options{Store: st, Scheduler: sch, Now: q.now, Log: q.log, Listen: ln.Addr().String()})
	if err != nil {
		ln.Close()
		st.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Run(ctx, ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("demo dashboard", "err", err)
		}
	}()
	return &demoDashboard{url: "http://" + ln.Addr().String() + "/", stop: func() {
		cancel()
		<-done
		st.Close()
	}}, nil
}
