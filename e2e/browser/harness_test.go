package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"foi/calendar"
	"foi/config"
	"foi/report"
	"foi/schedule"
	"foi/store"
	"foi/templates"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// demoRun is what `foi demo --json` says about the run it finished.
type demoRun struct {
	Dashboard string    `json:"dashboard"`
	Now       time.Time `json:"now"`
	Config    string    `json:"config"`
	Dir       string    `json:"dir"`
}

// lockedBuffer collects a child's output from its own goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDemo builds foi, runs `foi demo --headless --stay` in a new folder
// and returns once the run is over and its dashboard serves. The demo is
// stopped (Ctrl-C) when the test ends.
func startDemo(t *testing.T) demoRun {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "foi")
	build := exec.Command("go", "build", "-o", bin, "foi/cmd/foi")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build foi: %v\n%s", err, out)
	}
	dir := filepath.Join(t.TempDir(), "demo")
	cmd := exec.Command(bin, "demo", "--headless", "--stay", "--json", "--dir", dir)
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start foi demo: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
			if waitErr != nil {
				t.Errorf("foi demo ended with %v after Ctrl-C:\n%s", waitErr, stderr.String())
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("foi demo did not stop within 15 s of Ctrl-C")
		}
	})
	// With --json the demo prints one JSON value when the run is over,
	// then keeps its dashboard up.
	var run demoRun
	deadline := time.After(3 * time.Minute)
	for {
		out := stdout.String()
		if strings.HasSuffix(strings.TrimSpace(out), "}") && json.Unmarshal([]byte(out), &run) == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("foi demo ended before its dashboard was up (%v):\nstdout:\n%s\nstderr:\n%s", waitErr, out, stderr.String())
		case <-deadline:
			t.Fatalf("foi demo did not finish within 3 minutes\nstderr:\n%s", stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if run.Dashboard == "" || run.Now.IsZero() || run.Config == "" {
		t.Fatalf("foi demo --json lacks the dashboard, the time or the config: %+v", run)
	}
	u, err := url.Parse(run.Dashboard)
	if err != nil || u.Scheme != "http" {
		t.Fatalf("dashboard URL %q: %v", run.Dashboard, err)
	}
	if host := u.Hostname(); !net.ParseIP(host).IsLoopback() {
		t.Fatalf("the demo's dashboard listens on %s, not on loopback", u.Host)
	}
	resp, err := http.Get(run.Dashboard)
	if err != nil {
		t.Fatalf("GET %s: %v\nstderr:\n%s", run.Dashboard, err, stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", run.Dashboard, resp.Status)
	}
	return run
}

// demoData is the demo's data read by the test itself, beside the
// dashboard: the same store, and a scheduler built from the demo's
// configuration, to compute the board independently of the web layer.
type demoData struct {
	Store *store.Store
	Sch   *schedule.Scheduler
	Now   time.Time
}

func openDemo(t *testing.T, run demoRun) *demoData {
	t.Helper()
	cfg, err := config.Load(run.Config)
	if err != nil {
		t.Fatalf("the demo's configuration: %v", err)
	}
	ctx := context.Background()
	st, err := store.OpenExisting(ctx, cfg.DataDir())
	if err != nil {
		t.Fatalf("open the demo's data: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	pol, err := schedule.PolicyFrom(cfg.Schedule)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Load(cfg.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	sch := &schedule.Scheduler{Store: st, Cal: cal, Letters: templates.New(cfg.TemplatesDir()), Policy: pol}
	return &demoData{Store: st, Sch: sch, Now: run.Now}
}

// board is every request's row as package report computes it.
func (d *demoData) board(t *testing.T) []report.Row {
	t.Helper()
	rows, err := report.Board(context.Background(), d.Sch, "", d.Now)
	if err != nil {
		t.Fatalf("report.Board: %v", err)
	}
	return rows
}

// row is one request's row as package report computes it.
func (d *demoData) row(t *testing.T, ref string) report.Row {
	t.Helper()
	for _, r := range d.board(t) {
		if r.Ref == ref {
			return r
		}
	}
	t.Fatalf("no request %s on the board", ref)
	return report.Row{}
}

// browser is one headless Chromium with one tab, and a record of every
// request its pages made.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string
	// origin is the dashboard's scheme://host:port.
	origin    string
	mu        sync.Mutex
	requested []string
	// lastPost is how the page's last form was posted, for the message
	// when the dashboard refuses it.
	lastPost string
}

// needChromium fails the test, never skips it, when Chromium is missing.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is needed for the dashboard's browser tests and is missing (%v): apt-get install chromium (.ci/run does)", err)
	}
}

// startBrowser starts Chromium with a fresh profile and nothing that talks
// to the network by itself. A missing Chromium fails the test.
func startBrowser(t *testing.T, origin string) *browser {
	t.Helper()
	needChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, origin: origin, shots: os.Getenv("FOI_SCREENSHOTS")}
	if b.shots == "" {
		b.shots = t.TempDir()
	} else if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// Every request any page makes, recorded as the browser is about to
	// send it (before any DNS look-up or connection).
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.requested = append(b.requested, e.Request.URL)
			if e.Request.Method == "POST" {
				b.lastPost = fmt.Sprintf("POST %s with Origin %v (referrer policy %s)", e.Request.URL, e.Request.Headers["Origin"], e.Request.ReferrerPolicy)
			}
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return b
}

// foreignRequests are the recorded requests that left the dashboard's
// origin.
func (b *browser) foreignRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, u := range b.requested {
		if strings.HasPrefix(u, b.origin+"/") || u == b.origin || strings.HasPrefix(u, "data:") || u == "about:blank" {
			continue
		}
		out = append(out, u)
	}
	return out
}

// do runs actions, failing the test with what was being done.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page of the dashboard and waits for it.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.origin+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// submit clicks a form's button and waits for the page the form leads to.
func (b *browser) submit(what, button string) {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		b.t.Fatalf("%s (click %s): %v", what, button, err)
	}
	b.do(what, chromedp.WaitReady(chromedp.CSS("body")))
	if body := b.text("body"); strings.Contains(body, "nothing was changed") {
		b.mu.Lock()
		post := b.lastPost
		b.mu.Unlock()
		b.t.Fatalf("%s: the dashboard refused the form: %q; Chromium sent %s", what, strings.TrimSpace(body), post)
	}
}

// attrs reads an attribute of every element sel finds (none is no error).
func (b *browser) attrs(sel, name string) []string {
	b.t.Helper()
	js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.getAttribute(%q) || "")`, sel, name)
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		b.t.Fatalf("read %s of %s: %v", name, sel, err)
	}
	return v
}

// count is how many elements sel finds.
func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// text is the visible text of the first element sel finds ("" if none).
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// shot saves a screenshot of the whole page as name.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: a PNG
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

// shotOf saves a screenshot of the first element sel finds as name.png.
func (b *browser) shotOf(name, sel string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		b.t.Errorf("screenshot %s of %s: %v", name, sel, err)
		return
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

// hitRecorder is a web server on another loopback port that counts the
// requests it gets: a remote image pointed at it must never be fetched.
type hitRecorder struct {
	URL  string
	mu   sync.Mutex
	hits []string
}

func startRecorder(t *testing.T) *hitRecorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hitRecorder{URL: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.hits = append(h.hits, r.Method+" "+r.URL.String())
		h.mu.Unlock()
		w.Header().Set("Content-Type", "image/gif")
		_, _ = w.Write([]byte("GIF89a"))
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("recorder: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return h
}

func (h *hitRecorder) Hits() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hits...)
}
