package web

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"foi/store"
)

const (
	sessionCookie = "foi_session"
	flashCookie   = "foi_flash"
)

type sessionKey struct{}

// who is the person behind a request: their name and their session.
type who struct {
	store.Session
	token string
	// local: the person at the machine, on loopback without accounts.
	local bool
}

func whoOf(ctx context.Context) *who {
	w, _ := ctx.Value(sessionKey{}).(*who)
	return w
}

// accountsExist reports whether anyone must log in: always beyond
// loopback (Run refuses to start there without accounts), and on loopback
// as soon as one volunteer has an account.
func (s *Server) accountsExist(ctx context.Context) (bool, error) {
	if !s.loopback {
		return true, nil
	}
	list, err := s.opt.Store.Volunteers(ctx)
	return len(list) > 0, err
}

// identify finds the request's session. On loopback without accounts a
// browser without one gets one for the local user (its CSRF token is what
// protects the forms); otherwise it is nil.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) (*who, error) {
	ctx := r.Context()
	need, err := s.accountsExist(ctx)
	if err != nil {
		return nil, err
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		sess, err := s.opt.Store.SessionOf(ctx, c.Value, s.opt.Now())
		if err == nil && (sess.Volunteer != 0 || !need) {
			return &who{Session: sess, token: c.Value, local: sess.Volunteer == 0}, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if need {
		return nil, nil
	}
	if r.Method != http.MethodGet {
		return nil, nil // a form posted without the session it came with: refused below
	}
	token, sess, err := s.opt.Store.NewSession(ctx, 0, s.opt.LocalUser, sessionTTL, s.opt.Now())
	if err != nil {
		return nil, err
	}
	s.setSession(w, token)
	return &who{Session: sess, token: token, local: true}, nil
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.opt.Secure, MaxAge: int(sessionTTL.Seconds())})
}

// authed wraps a GET handler: it runs with the person's session, or sends
// them to log in.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.identify(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if u == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), sessionKey{}, u)
		h(w, r.WithContext(store.WithActor(ctx, u.Name)))
	}
}

// action wraps a POST handler: it runs only for a session whose CSRF
// token the form carries, from a page of this dashboard; anything else is
// 403 with nothing changed. The handler returns where to go next and what
// to say, or an error.
func (s *Server) action(h func(w http.ResponseWriter, r *http.Request) (string, string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		u, err := s.identify(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if u == nil || !sameOrigin(r) || r.ParseForm() != nil ||
			subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(u.CSRF)) != 1 {
			s.forbidden(w, r)
			return
		}
		ctx := context.WithValue(r.Context(), sessionKey{}, u)
		r = r.WithContext(store.WithActor(ctx, u.Name))
		next, msg, err := h(w, r)
		if err != nil {
			s.setFlash(w, "error", sayError(err))
			if next == "" {
				next = backTo(r)
			}
		} else if msg != "" {
			s.setFlash(w, "ok", msg)
		}
		if next == "" {
			next = backTo(r)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

// sameOrigin: a POST that says where it comes from must come from here
// (browsers send Origin with every POST; Sec-Fetch-Site where they can).
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// backTo is the page the form was on, if it was one of ours.
func backTo(r *http.Request) string {
	if b := r.PostForm.Get("back"); strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") && !strings.Contains(b, "\\") {
		return b
	}
	return "/"
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintln(w, "This form has expired or did not come from this dashboard, so nothing was changed. Go back, reload the page and try again.")
}

func (s *Server) setFlash(w http.ResponseWriter, kind, msg string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + msg))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.opt.Secure})
}

type flash struct{ Kind, Text string }

// takeFlash reads and clears the message of the last action.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.opt.Secure})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(string(b), ":")
	if !ok || (kind != "ok" && kind != "error") {
		return nil
	}
	return &flash{Kind: kind, Text: text}
}

type loginData struct {
	Next, Name, Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	need, err := s.accountsExist(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !need {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", "Log in", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func safeNext(n string) string {
	if strings.HasPrefix(n, "/") && !strings.HasPrefix(n, "//") && !strings.Contains(n, "\\") {
		return n
	}
	return "/"
}

// login checks a volunteer's password: 401 when wrong, 429 while too many
// wrong ones in a row make the next attempt wait.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !sameOrigin(r) || r.ParseForm() != nil {
		s.forbidden(w, r)
		return
	}
	name, pw := strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("password")
	d := loginData{Next: safeNext(r.PostForm.Get("next")), Name: name}
	v, err := s.opt.Store.Login(r.Context(), name, pw, s.opt.Now())
	var slow *store.ThrottledError
	switch {
	case errors.As(err, &slow):
		secs := int(math.Ceil(slow.Wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		d.Error = fmt.Sprintf("Too many wrong passwords for %s. For safety, wait %s before trying again.", name, waitWords(secs))
		s.render(w, r, http.StatusTooManyRequests, "login", "Log in", d)
		return
	case errors.Is(err, store.ErrBadPassword):
		d.Error = "That name and password do not match. Check them and try again."
		s.render(w, r, http.StatusUnauthorized, "login", "Log in", d)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	token, _, err := s.opt.Store.NewSession(r.Context(), v.ID, v.Name, sessionTTL, s.opt.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setSession(w, token)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func waitWords(secs int) string {
	switch {
	case secs < 60:
		return plural(secs, "second", "seconds")
	default:
		return plural((secs+59)/60, "minute", "minutes")
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) (string, string, error) {
	u := whoOf(r.Context())
	if err := s.opt.Store.EndSession(r.Context(), u.token); err != nil {
		return "", "", err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.opt.Secure})
	if u.local {
		return "/", "", nil
	}
	return "/login", "", nil
}
