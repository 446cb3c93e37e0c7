package results

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// TestHTMLInChromium opens the league table in real headless Chromium, from
// a file as a blog's visitor would get it: it renders (a row per request,
// the chart) and asks for nothing from anywhere.
func TestHTMLInChromium(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed to check the league table renders (%v): apt-get install chromium (.ci/run does)", err)
	}
	st, sch := newFixture(t, 12)
	tab, err := Load(context.Background(), st, sch, Scope{Slug: "LXP7N"}, fixtureNow)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, tab); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "league.html")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.Headless, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1200, 1600))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	url := "file://" + path
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("svg"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.league tbody tr").length`))
	if err != nil || rows != 12 {
		t.Errorf("the table shows %d rows (%v), want 12", rows, err)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg rect").length`))
	if err != nil || bars != 6 {
		t.Errorf("the chart has %d bars (%v), want 6", bars, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil || !strings.Contains(text, "Answered on time: 7") || !strings.Contains(text, "Method.") {
		t.Errorf("the page reads (%v):\n%s", err, text)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requested) == 0 {
		t.Fatalf("no request was seen at all, not even the page: the network was not watched")
	}
	for _, u := range requested {
		if u != url && !strings.HasPrefix(u, "data:") && u != "about:blank" {
			t.Errorf("the page asked for %s", u)
		}
	}
}
