package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"foi"
	"foi/calendar"
	"foi/campaign"
	"foi/config"
	"foi/inbox"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// world is the example campaign (examples/trusts.csv, the stage 2 letter,
// 31 trusts) in a real store in a temporary folder, built with the
// functions the command line uses: letters are sent by the outbox's own
// store calls (no SMTP), replies are filed by the inbox's own processor
// from raw mail.
type world struct {
	t   testing.TB
	ctx context.Context
	st  *store.Store
	sch *schedule.Scheduler
	mu  sync.Mutex
	at  time.Time
	uid uint32
}

func on(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, campaign.London())
	if err != nil {
		panic(err)
	}
	return t
}

func (w *world) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.at
}

func (w *world) setNow(t time.Time) {
	w.mu.Lock()
	w.at = t
	w.mu.Unlock()
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pol, err := schedule.PolicyFrom(config.Default().Schedule)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, st: st, at: on("2026-02-27 16:00"),
		sch: &schedule.Scheduler{Store: st, Cal: calendar.New(), Letters: templates.New(""), Policy: pol}}
	csv, err := foi.Examples.Open("examples/trusts.csv")
	if err != nil {
		t.Fatal(err)
	}
	auths, err := campaign.ParseAuthorities(csv)
	csv.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.UpsertAuthorities(ctx, auths, w.now()); err != nil {
		t.Fatal(err)
	}
	letter, err := foi.Examples.ReadFile("examples/stage2-did-not-apply.txt")
	if err != nil {
		t.Fatal(err)
	}
	spec := campaign.Spec{Slug: "LXP7N", Title: "Band 7 roles: why not apply?", LetterName: "stage2", Letter: string(letter), Selector: "tag:did-not-apply"}
	if _, err := campaign.Create(ctx, st, spec, campaign.Requester{Name: "LXP Revolution", Email: "campaign@foi.test"}, w.now(), strings.NewReader(strings.Repeat("x", 1<<16))); err != nil {
		t.Fatal(err)
	}
	w.setNow(on("2026-03-02 10:04"))
	w.send()
	return w
}

// send queues the first letters and sends every letter due now.
func (w *world) send() {
	w.t.Helper()
	now := w.now()
	if _, err := campaign.Queue(w.ctx, w.st, "LXP7N", campaign.Env{Now: now}, 0); err != nil {
		w.t.Fatal(err)
	}
	items, err := w.st.Outbox(w.ctx, "LXP7N")
	if err != nil {
		w.t.Fatal(err)
	}
	for _, it := range items {
		if !it.State.Due() || it.NextAttemptAt.After(now) {
			continue
		}
		if err := w.st.Claim(w.ctx, it.ID, now); err != nil {
			w.t.Fatal(err)
		}
		if err := w.st.MarkSent(w.ctx, it.ID, now, ""); err != nil {
			w.t.Fatal(err)
		}
	}
}

func (w *world) request(ref string) store.Request {
	w.t.Helper()
	r, err := w.st.Request(w.ctx, ref)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// mail files a raw message through the inbox and returns what it became.
func (w *world) mail(raw string) inbox.Outcome {
	w.t.Helper()
	w.uid++
	p := &inbox.Processor{Store: w.st, Now: w.now}
	out, err := p.Process(w.ctx, []byte(strings.ReplaceAll(raw, "\n", "\r\n")), "INBOX", w.uid, false)
	if err != nil {
		w.t.Fatalf("file mail %d: %v", w.uid, err)
	}
	return out
}

// reply is a plain-text answer to ref's request, with attachments
// (name, content pairs) as PDFs.
func (w *world) reply(ref, body string, files ...string) inbox.Outcome {
	w.t.Helper()
	r := w.request(ref)
	var b strings.Builder
	fmt.Fprintf(&b, "From: FOI Team <%s>\nTo: campaign@foi.test\nSubject: RE: Freedom of Information request [%s]\n"+
		"Message-ID: <reply-%s-%d@trust.test>\nIn-Reply-To: <%s>\nDate: %s\nMIME-Version: 1.0\n",
		r.ToAddress, ref, ref, w.uid+1, r.MessageID, w.now().Format(time.RFC1123Z))
	if len(files) == 0 {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\n\n%s\n", body)
	} else {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain; charset=utf-8\n\n%s\n", body)
		for i := 0; i+1 < len(files); i += 2 {
			fmt.Fprintf(&b, "--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=%q\nContent-Transfer-Encoding: base64\n\n%s\n",
				files[i], base64.StdEncoding.EncodeToString([]byte(files[i+1])))
		}
		b.WriteString("--B--\n")
	}
	return w.mail(b.String())
}

// client is a browser: a cookie jar against the dashboard under test.
type client struct {
	t    testing.TB
	base string
	http *http.Client
}

func (w *world) server(listen string, opt func(*Options)) (*Server, *client) {
	w.t.Helper()
	o := Options{Store: w.st, Scheduler: w.sch, Now: w.now, Listen: listen, LocalUser: "Asha at the desk", Poll: 20 * time.Millisecond}
	if opt != nil {
		opt(&o)
	}
	srv, err := New(o)
	if err != nil {
		w.t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	w.t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	return srv, &client{t: w.t, base: ts.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches a page and returns its status and body.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token of the forms on a page of the dashboard.
func (c *client) csrf() string {
	c.t.Helper()
	_, body := c.get("/requests/LXP7N-001")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on a request's page:\n%s", body)
	}
	return m[1]
}

// post submits a form as the browser would (same origin), with the page's
// token unless the values carry their own; it returns the status and where
// it was sent next.
func (c *client) post(path string, v url.Values) (int, string) {
	c.t.Helper()
	if _, ok := v["csrf"]; !ok {
		v.Set("csrf", c.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// flash is the message the next page shows about the last action.
func (c *client) flash() string {
	c.t.Helper()
	_, body := c.get("/campaigns")
	m := regexp.MustCompile(`<p class="flash" data-kind="(ok|error)" role="status">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1] + ": " + m[2]
}

func (w *world) state(ref string) lifecycle.State { return w.request(ref).State }

// lastEvent is the newest event of a request.
func (w *world) lastEvent(ref string) store.Event {
	w.t.Helper()
	ev, err := w.st.Events(w.ctx, w.request(ref).ID)
	if err != nil || len(ev) == 0 {
		w.t.Fatalf("events of %s: %v, %v", ref, ev, err)
	}
	return ev[len(ev)-1]
}
