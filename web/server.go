package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"foi/config"
	"foi/schedule"
	"foi/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// ErrNoAccounts: the dashboard would listen beyond this machine with
// nobody to log in.
var ErrNoAccounts = errors.New("web: no volunteer accounts")

// Options are what a Server is built from.
type Options struct {
	Store     *store.Store
	Scheduler *schedule.Scheduler
	// Now is the clock (the CLI's, so that --now works in previews).
	Now func() time.Time
	Log *slog.Logger
	// Listen is the address served (web.listen): on a loopback one with no
	// volunteer account the person at the machine is the user.
	Listen string
	// LocalUser is that person's name in the event log ("" for "user",
	// told as "You").
	LocalUser string
	// Secure: served over TLS, so cookies are Secure.
	Secure bool
	// Kick, if set, wakes the outbox when a letter is released to go now.
	Kick func()
	// Poll is how often /events looks for news (default 2 s).
	Poll time.Duration
}

// Server is the dashboard.
type Server struct {
	opt      Options
	loopback bool
	pages    map[string]*template.Template
	mail     *bluemonday.Policy
	mux      *http.ServeMux
}

// sessionTTL is how long a login lasts.
const sessionTTL = 12 * time.Hour

// New builds the dashboard's handlers.
func New(o Options) (*Server, error) {
	if o.Store == nil || o.Scheduler == nil {
		return nil, errors.New("web: a store and a scheduler are needed")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.LocalUser == "" {
		o.LocalUser = "user"
	}
	host, _, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("web.listen %q: %w", o.Listen, err)
	}
	s := &Server{opt: o, loopback: config.IsLoopback(host), mail: mailPolicy()}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// CheckListen refuses to serve beyond this machine with no volunteer
// account (issue 10: loopback by default; elsewhere only with accounts).
func CheckListen(ctx context.Context, st *store.Store, listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("web.listen %q: %w", listen, err)
	}
	if config.IsLoopback(host) {
		return nil
	}
	list, err := st.Volunteers(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return fmt.Errorf("web.listen is %s, which other machines can reach, and no volunteer has an account, so anyone could use the dashboard: add one with `foi users add NAME`, or listen on 127.0.0.1: %w", listen, ErrNoAccounts)
	}
	return nil
}

func (s *Server) parseTemplates() error {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return err
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return fmt.Errorf("web: template %s: %w", n, err)
		}
		s.pages[base] = t
	}
	return nil
}

// Handler is the dashboard with its security headers and sessions.
func (s *Server) Handler() http.Handler { return s.secure(s.mux) }

// Run serves on ln until ctx ends, then shuts down within 5 s. With cert
// and key files it serves HTTPS only.
func (s *Server) Run(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.opt.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		var err error
		if certFile != "" {
			err = srv.ServeTLS(ln, certFile, keyFile)
		} else {
			err = srv.Serve(ln)
		}
		errc <- err
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	return err
}

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.action(s.logout))

	m.HandleFunc("GET /{$}", s.page(s.today))
	m.HandleFunc("GET /campaigns", s.page(s.campaigns))
	m.HandleFunc("GET /campaigns/{slug}", s.page(s.board))
	m.HandleFunc("GET /campaigns/{slug}/chart.svg", s.authed(s.chart))
	m.HandleFunc("POST /campaigns/{slug}/bulk", s.action(s.bulk))
	m.HandleFunc("GET /requests/{ref}", s.page(s.request))
	m.HandleFunc("GET /requests/{ref}/reply", s.page(s.replyForm))
	m.HandleFunc("GET /requests/{ref}/pack.zip", s.authed(s.pack))
	m.HandleFunc("GET /requests/{ref}/address", s.page(s.addressPlan))
	m.HandleFunc("POST /requests/{ref}/address", s.action(s.address))
	m.HandleFunc("POST /requests/{ref}/reissue", s.action(s.reissue))
	m.HandleFunc("POST /requests/{ref}/mark", s.action(s.mark))
	m.HandleFunc("POST /requests/{ref}/reply", s.action(s.reply))
	m.HandleFunc("POST /requests/{ref}/review", s.action(s.review))
	m.HandleFunc("POST /requests/{ref}/withdraw", s.action(s.withdraw))
	m.HandleFunc("POST /requests/{ref}/resend", s.action(s.resend))
	m.HandleFunc("POST /requests/{ref}/mark-sent", s.action(s.markSent))
	m.HandleFunc("GET /drafts", s.page(s.drafts))
	m.HandleFunc("GET /drafts/{id}", s.page(s.draft))
	m.HandleFunc("POST /drafts/{id}/edit", s.action(s.editDraft))
	m.HandleFunc("POST /drafts/{id}/approve", s.action(s.approve))
	m.HandleFunc("POST /drafts/{id}/discard", s.action(s.discard))
	m.HandleFunc("GET /unmatched", s.page(s.unmatched))
	m.HandleFunc("POST /unmatched/{id}/assign", s.action(s.assign))
	m.HandleFunc("GET /schedule", s.page(s.schedulePage))
	m.HandleFunc("POST /outbox/{id}/hold", s.action(s.hold))
	m.HandleFunc("POST /outbox/{id}/cancel", s.action(s.cancel))
	m.HandleFunc("GET /attachments/{id}", s.authed(s.attachment))
	m.HandleFunc("GET /events", s.authed(s.events))
	// A calendar application cannot log in: the feed's secret token is its
	// key (results.FeedToken), and it shows only dates.
	m.HandleFunc("GET /calendar/{file}", s.calendar)
	s.mux = m
}

// csp forbids every remote load and every inline script: what a reply's
// HTML could bring can neither run nor call home.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure sets the headers every answer carries, and refuses a request
// whose Host is not this machine's while nobody logs in (DNS rebinding: a
// page elsewhere must not read a loopback dashboard under its own name).
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// same-origin, not no-referrer: under no-referrer Chromium sends
		// "Origin: null" with a form's POST, which sameOrigin must refuse;
		// same-origin still tells other sites nothing.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if s.opt.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if s.loopback {
			host := r.Host
			if hh, _, err := net.SplitHostPort(host); err == nil {
				host = hh
			}
			if !config.IsLoopback(strings.Trim(host, "[]")) {
				http.Error(w, "This dashboard answers only at 127.0.0.1 or localhost.", http.StatusMisdirectedRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
