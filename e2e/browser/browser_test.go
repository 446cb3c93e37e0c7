package browser

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"foi/demo"
	"foi/inbox"
	"foi/lifecycle"
	"foi/report"
	"foi/store"
)

// TestDashboardInChromium works on the demo's dashboard in a real
// Chromium, as the volunteer trying the demo would: the boards show every
// request; a filter shows exactly the late ones; the chores the demo left
// (a refusal to confirm, a chaser to approve, a reply to file) are done in
// one click each and show where they should; an attachment downloads as
// its original bytes; and a hostile HTML reply shows with no script run
// and nothing fetched. Throughout, no page asks for anything outside the
// dashboard's origin. The steps share one demo, in order.
func TestDashboardInChromium(t *testing.T) {
	start := time.Now()
	needChromium(t) // before the demo's half minute
	run := startDemo(t)
	t.Logf("demo ready in %s: %s", time.Since(start).Round(time.Millisecond), run.Dashboard)
	d := openDemo(t, run)
	rec := startRecorder(t)
	hostile := fileHostileReply(t, d, rec.URL)
	origin := strings.TrimSuffix(run.Dashboard, "/")
	b := startBrowser(t, origin)
	ctx := context.Background()

	rows := d.board(t)
	if len(rows) != 55 {
		t.Fatalf("report.Board has %d requests, want the demo's 55", len(rows))
	}
	slugs := campaignsOf(rows)

	t.Run("every request on the boards", func(t *testing.T) {
		b.t = t
		b.open("/campaigns")
		b.shot("campaigns")
		if got := b.attrs("table#campaigns tr[data-slug]", "data-slug"); !sameSet(got, slugs) {
			t.Errorf("campaigns page lists %v, want %v", got, slugs)
		}
		var shown []string
		for _, slug := range slugs {
			b.open("/campaigns/" + slug)
			refs := b.attrs("table#board tbody tr[data-ref]", "data-ref")
			if n := b.attrs("#count", "data-count"); len(n) != 1 || n[0] != fmt.Sprint(len(refs)) {
				t.Errorf("%s: #count says %v, the table has %d rows", slug, n, len(refs))
			}
			shown = append(shown, refs...)
			b.shot("board-" + slug)
		}
		if want := refsOf(rows, func(report.Row) bool { return true }); !sameSet(shown, want) {
			t.Errorf("the boards show %d requests, want %d:\n got %v\nwant %v", len(shown), len(want), shown, want)
		}
		// Every part the demo's authorities play ends where it should, on
		// the board: answered, partly, refused after review, not held, a
		// complaint ready, bounced and sent again, overdue...
		for _, slug := range slugs {
			b.open("/campaigns/" + slug)
			for ref := range demo.Roles {
				if campaignOf(ref) != slug {
					continue
				}
				got := b.attrs(fmt.Sprintf(`table#board tr[data-ref="%s"]`, ref), "data-state")
				if want := demo.ExpectOf(ref); len(got) != 1 || got[0] != want {
					t.Errorf("%s (%s) is %v on the board, want %s", ref, demo.RoleOf(ref), got, want)
				}
			}
		}
	})

	t.Run("overdue shows exactly the late ones", func(t *testing.T) {
		b.t = t
		late := refsOf(rows, func(r report.Row) bool { return r.Phase == "overdue" })
		if len(late) == 0 {
			t.Fatal("the demo ends with no overdue request: nothing to filter")
		}
		var shown []string
		for _, slug := range slugs {
			b.open("/campaigns/" + slug)
			b.do("choose overdue", chromedp.SetValue(chromedp.CSS("select#phase"), "overdue"))
			if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("select#phase"))); v != "overdue" {
				t.Fatalf("%s: the phase filter has no choice \"overdue\" (value %q)", slug, v)
			}
			b.submit("filter "+slug, "button#apply")
			got := b.attrs("table#board tbody tr[data-ref]", "data-ref")
			for _, p := range b.attrs("table#board tbody tr[data-ref]", "data-phase") {
				if p != "overdue" {
					t.Errorf("%s filtered by overdue shows a row in phase %q", slug, p)
				}
			}
			shown = append(shown, got...)
			if slug == "LXP7A" {
				b.shot("board-LXP7A-overdue")
			}
		}
		if !sameSet(shown, late) {
			t.Errorf("filtered by overdue the boards show %v; report.Board's late ones are %v", shown, late)
		}
	})

	t.Run("confirming a suggested refusal changes the row", func(t *testing.T) {
		b.t = t
		var ref string
		for _, r := range rows {
			if r.State == lifecycle.Responded && r.Suggested != nil && r.Suggested.Outcome == lifecycle.Refused {
				ref = r.Ref
			}
		}
		if ref == "" {
			t.Fatal("the demo ends with no suggested refusal waiting for confirmation")
		}
		b.open("/")
		b.shot("today")
		item := fmt.Sprintf(`li.confirm-item[data-ref="%s"]`, ref)
		if b.count(item) != 1 {
			t.Fatalf("Today does not offer %s's refusal for confirmation", ref)
		}
		b.submit("confirm "+ref, item+` form.confirm[data-action="mark"] button`)
		b.shot("today-after-confirm")
		if r, err := d.Store.Request(ctx, ref); err != nil || r.State != lifecycle.Refused {
			t.Errorf("after confirming, %s is %s (%v), want refused", ref, r.State, err)
		}
		b.open("/campaigns/" + campaignOf(ref))
		if got := b.attrs(fmt.Sprintf(`table#board tr[data-ref="%s"]`, ref), "data-state"); len(got) != 1 || got[0] != string(lifecycle.Refused) {
			t.Errorf("the board's row of %s has state %v, want refused", ref, got)
		}
		if s := b.text(fmt.Sprintf(`table#board tr[data-ref="%s"] td.suggested`, ref)); strings.TrimSpace(s) != "" {
			t.Errorf("the board still suggests %q for %s once confirmed", s, ref)
		}
		if b.count(item) != 0 {
			t.Errorf("%s is still waiting for confirmation", ref)
		}
		// What happens next: the internal review of the refusal, drafted
		// at the next sending time (the demo ends on a Saturday).
		if next := d.row(t, ref).Next; next == nil || next.Step != lifecycle.StepReviewRefusal {
			t.Errorf("after confirming the refusal, %s's next step is %+v, want the internal review", ref, next)
		} else if s := b.text(fmt.Sprintf(`table#board tr[data-ref="%s"] td.next`, ref)); !strings.Contains(s, next.On.In(next.On.Location()).Format("2 Jan")) {
			t.Errorf("the board's next step for %s reads %q, want the review's day %s", ref, s, next.On.Format("Mon 2 Jan"))
		}
	})

	t.Run("approving a draft queues it", func(t *testing.T) {
		b.t = t
		drafts, err := d.Store.Drafts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		var ref string
		for _, it := range drafts {
			if it.Step == lifecycle.StepFinalChaser {
				id, ref = it.ID, it.Ref
			}
		}
		if id == 0 {
			t.Fatalf("the demo ends with no final chaser waiting for approval (drafts: %+v)", drafts)
		}
		b.open("/")
		if b.count(fmt.Sprintf(`li.draft-item[data-draft="%d"]`, id)) != 1 {
			t.Errorf("Today does not list draft %d (%s)", id, ref)
		}
		b.open(fmt.Sprintf("/drafts/%d", id))
		b.shot("draft")
		b.submit("approve draft", `form.confirm[data-action="approve"] button`)
		b.shot("draft-approved")
		it, err := d.Store.OutboxItem(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if it.State != lifecycle.OutboxPending {
			t.Errorf("after approval, letter %d is %s, want %s", id, it.State, lifecycle.OutboxPending)
		}
		if !it.NextAttemptAt.After(d.Now) {
			t.Errorf("approved letter %d goes at %s, not after the demo's now %s (a Saturday: the next sending window)", id, it.NextAttemptAt, d.Now)
		}
		row := d.row(t, ref)
		if row.Next == nil || row.Next.Draft != 0 || row.Next.Step != lifecycle.StepFinalChaser {
			t.Errorf("%s's next step after approval is %+v, want the final chaser queued", ref, row.Next)
		}
		b.open("/")
		if b.count(fmt.Sprintf(`li.draft-item[data-draft="%d"]`, id)) != 0 {
			t.Errorf("Today still lists draft %d as waiting", id)
		}
	})

	t.Run("filing an unmatched reply moves it to its request", func(t *testing.T) {
		b.t = t
		list, err := d.Store.Unmatched(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 || len(list[0].Suggested) == 0 {
			t.Fatalf("the demo ends with no unmatched reply with a suggestion: %+v", list)
		}
		m, ref := list[0], list[0].Suggested[0].Ref
		before := d.row(t, ref)
		b.open("/")
		button := fmt.Sprintf(`li.unmatched-item[data-message="%d"] form.confirm[data-action="assign"][data-ref="%s"] button`, m.ID, ref)
		if b.count(button) != 1 {
			t.Fatalf("Today offers no button to file message %d under %s", m.ID, ref)
		}
		b.submit("file the reply", button)
		b.shot("today-after-filing")
		b.open("/requests/" + ref)
		b.shot("request-" + ref)
		if b.count(fmt.Sprintf(`article.message[data-message="%d"][data-direction="in"]`, m.ID)) != 1 {
			t.Errorf("message %d is not in %s's thread", m.ID, ref)
		}
		after := d.row(t, ref)
		if after.State == before.State || after.LastReply == nil || after.LastReply.ID != m.ID {
			t.Errorf("%s was %s and is %s with last reply %+v: filing message %d changed nothing", ref, before.State, after.State, after.LastReply, m.ID)
		}
		if got := b.attrs("#state", "data-state"); len(got) != 1 || got[0] != string(after.State) {
			t.Errorf("the request page says state %v, the store %s", got, after.State)
		}
		if rest, _ := d.Store.Unmatched(ctx); slices.ContainsFunc(rest, func(x store.Message) bool { return x.ID == m.ID }) {
			t.Errorf("message %d is still unmatched", m.ID)
		}
	})

	t.Run("an attachment downloads as its original bytes", func(t *testing.T) {
		b.t = t
		dir := t.TempDir()
		done := chromedp.BrowserEvents(b.ctx, cdpbrowser.DownloadProgress)
		if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true)}); err != nil {
			t.Fatalf("allow downloads: %v", err)
		}
		b.open("/requests/LXP7N-001")
		links := b.attrs("ul.attachments a.attachment", "href")
		names := b.attrs("ul.attachments a.attachment", "data-attachment")
		if len(links) < 2 {
			t.Fatalf("LXP7N-001 shows %d attachments (%v), want its PDF and its spreadsheet", len(links), links)
		}
		pdf := ""
		for _, id := range names {
			if strings.Contains(b.text(fmt.Sprintf(`a.attachment[data-attachment="%s"]`, id)), ".pdf") {
				pdf = id
			}
		}
		if pdf == "" {
			t.Fatalf("no PDF among LXP7N-001's attachments %v", links)
		}
		b.do("click the PDF", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.attachment[data-attachment="%s"]`, pdf))))
		wait, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		defer cancel()
		var guid string
		for ev, err := range done {
			if err != nil || wait.Err() != nil {
				t.Fatalf("the download did not finish: %v %v", err, wait.Err())
			}
			if ev.State == cdpbrowser.DownloadProgressStateCompleted {
				guid = ev.GUID
				break
			}
			if ev.State == cdpbrowser.DownloadProgressStateCanceled {
				t.Fatal("the download was cancelled")
			}
		}
		got, err := os.ReadFile(filepath.Join(dir, guid))
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(got) != sha256.Sum256(demo.SamplePDF) {
			t.Errorf("the downloaded PDF (%d bytes, sha256 %x) is not the one the trust sent (%d bytes, sha256 %x)",
				len(got), sha256.Sum256(got), len(demo.SamplePDF), sha256.Sum256(demo.SamplePDF))
		}
	})

	t.Run("a hostile HTML reply runs nothing and fetches nothing", func(t *testing.T) {
		b.t = t
		b.open("/requests/" + hostile.ref)
		article := fmt.Sprintf(`article.message[data-message="%d"]`, hostile.id)
		if b.count(article) != 1 {
			t.Fatalf("the HTML reply (message %d) is not on %s's page", hostile.id, hostile.ref)
		}
		// The sanitised HTML of the message: in its article, or in the
		// timeline's entry right after it.
		html := fmt.Sprintf(`%[1]s div.html-body, li:has(> %[1]s) + li div.html-body`, article)
		if n := b.count(html); n != 1 {
			t.Fatalf("%d sanitised HTML bodies for message %d, want 1", n, hostile.id)
		}
		// Open it as a reader would, then give anything that could run or
		// load time to do so.
		b.do("open the HTML", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).closest("details").open = true`, html)),
			chromedp.Sleep(700*time.Millisecond))
		b.shot("request-html-reply")
		b.shotOf("html-reply", fmt.Sprintf(`li:has(> %s) + li`, article))
		if s := b.text(html); !strings.Contains(s, "figures we hold") || !strings.Contains(s, "Band 7: 2 posts") {
			t.Errorf("the HTML reply's text is not shown; it reads:\n%s", s)
		}
		ran, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[window.__foiScript, window.__foiOnerror, window.__foiLink, document.title === "pwned" ? "title" : undefined].filter(x => x !== undefined).map(String)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(ran) > 0 {
			t.Errorf("the mail's script ran: %v", ran)
		}
		// Click the javascript: link if it survived as a link at all.
		if b.count(html+` a[href^="javascript"]`) > 0 {
			t.Errorf("the javascript: link is still a link")
		}
		for _, sel := range []string{"script", "img", "iframe", "link", "style", "[onerror]", "[style]", "object", "embed"} {
			if n := b.count(html + " " + sel); n > 0 {
				t.Errorf("the sanitised reply still has %d %s", n, sel)
			}
		}
		if hits := rec.Hits(); len(hits) > 0 {
			t.Errorf("the remote content was fetched: %v", hits)
		}
	})

	if f := b.foreignRequests(); len(f) > 0 {
		t.Errorf("pages asked for %d things outside %s: %v", len(f), origin, f)
	}
	b.mu.Lock()
	n := len(b.requested)
	b.mu.Unlock()
	if n < 20 {
		t.Errorf("the network recorder saw only %d requests: it is not recording", n)
	}
	t.Logf("whole test: %s", time.Since(start).Round(time.Millisecond))
}

// hostileReply is the HTML reply the test files into the demo's mailbox
// store: where it went.
type hostileReply struct {
	ref string
	id  int64
}

// fileHostileReply files, through the same processor as foi sync, an HTML
// reply from a trust with a script, an onerror handler, a javascript:
// link, styles, a frame and remote images pointing at tracker (the test's
// own listener).
func fileHostileReply(t *testing.T, d *demoData, tracker string) hostileReply {
	t.Helper()
	const ref = "LXP7A-010"
	r, err := d.Store.Request(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	html := `<html><head><script>window.__foiScript = "script"; document.title = "pwned";</script>` +
		`<link rel="stylesheet" href="` + tracker + `/style.css"><style>body { background: url(` + tracker + `/bg.png) }</style></head>` +
		`<body><p>Please find below the <b>figures we hold</b>.</p>` +
		`<img src="x" onerror="window.__foiOnerror = 'onerror'">` +
		`<img src="` + tracker + `/pixel.gif" width="1" height="1">` +
		`<div style="background-image: url(` + tracker + `/div.png)">Band 7: 2 posts</div>` +
		`<iframe src="` + tracker + `/frame"></iframe>` +
		`<a href="javascript:window.__foiLink = 'link'">our portal</a>` +
		`<script src="` + tracker + `/evil.js"></script></body></html>`
	raw := "From: FOI Team <" + r.ToAddress + ">\r\nTo: campaign@foi.test\r\n" +
		"Subject: Further information about your request " + ref + "\r\n" +
		"Message-ID: <hostile-html@browser.test>\r\nDate: " + d.Now.Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find below the figures we hold.\r\n" +
		"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n--alt--\r\n"
	p := &inbox.Processor{Store: d.Store, Now: func() time.Time { return d.Now }}
	out, err := p.Process(context.Background(), []byte(raw), "INBOX", 990001, false)
	if err != nil {
		t.Fatalf("file the HTML reply: %v", err)
	}
	if out.Ref != ref || out.ID == 0 {
		t.Fatalf("the HTML reply was filed as %+v, want under %s", out, ref)
	}
	return hostileReply{ref: ref, id: out.ID}
}

func campaignsOf(rows []report.Row) []string {
	var out []string
	for _, r := range rows {
		if !slices.Contains(out, r.Campaign) {
			out = append(out, r.Campaign)
		}
	}
	return out
}

func campaignOf(ref string) string {
	slug, _, _ := strings.Cut(ref, "-")
	return slug
}

func refsOf(rows []report.Row, keep func(report.Row) bool) []string {
	var out []string
	for _, r := range rows {
		if keep(r) {
			out = append(out, r.Ref)
		}
	}
	return out
}

// sameSet reports whether a and b hold the same strings, each once.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

func ptr[T any](v T) *T { return &v }
