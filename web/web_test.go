package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"foi/lifecycle"
	"foi/results"
	"foi/schedule"
	"foi/store"
)

const refusal = `Dear LXP Revolution,

Thank you for your request. We estimate that complying with it would exceed
the appropriate limit of 18 hours under section 12 of the Freedom of
Information Act 2000, so we are refusing it.

You may ask for an internal review within 40 working days.

FOI Team`

const answer = `Dear LXP Revolution,

Please find attached the information you requested about Band 7 Lived
Experience Professional roles. We hold 3 such posts.

FOI Team`

// htmlReply is an answer whose HTML part tries to run script and load a
// remote image.
func htmlReply(to, ref, mid string) string {
	return `From: FOI Team <` + to + `>
To: campaign@foi.test
Subject: RE: Freedom of Information request [` + ref + `]
Message-ID: <html-` + ref + `@trust.test>
In-Reply-To: <` + mid + `>
Date: Mon, 09 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain; charset=utf-8

We hold 2 such posts. The text part.
--ALT
Content-Type: text/html; charset=utf-8

<html><head><script>alert("head")</script><style>p{color:red}</style></head>
<body><p>We hold <b>2</b> such posts.</p>
<script>document.title="owned"</script>
<img src="https://tracker.example.net/pixel.png" onerror="alert('x')" alt="pixel">
<p onclick="alert(1)">Click</p><a href="javascript:alert(1)">bad link</a>
<iframe src="https://evil.example.net/"></iframe>
</body></html>
--ALT--
`
}

// TestEveryPageRenders: every page of the dashboard answers 200 over the
// example campaign, with the ids the browser tests select on.
func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	w.reply("LXP7N-004", refusal)
	w.reply("LXP7N-001", answer, "posts.pdf", "%PDF-1.4 three posts")
	w.mail(htmlReply(w.request("LXP7N-002").ToAddress, "LXP7N-002", w.request("LXP7N-002").MessageID))
	_, c := w.server("127.0.0.1:8025", nil)
	drafts, _ := w.st.Drafts(w.ctx)
	for _, p := range []struct{ path, want string }{
		{"/", `id="confirm"`},
		{"/campaigns", `id="campaigns"`},
		{"/campaigns/LXP7N", `id="feed-link" href="/calendar/`},
		{"/campaigns/LXP7N?phase=overdue&needs=1&q=trust&sort=late", `id="count"`},
		{"/campaigns/lxp7n?sort=due&tag=mental-health", `data-ref="LXP7N-001"`},
		{"/requests/LXP7N-004", `id="timeline"`},
		{"/requests/LXP7N-001/reply", `id="choose"`},
		{"/requests/LXP7N-001/reply?template=first_chaser", `id="reply"`},
		{"/drafts", `Letters to approve`},
		{"/unmatched", `Mail to file`},
		{"/schedule", `class="planned" data-ref="LXP7N-`},
		{"/campaigns/LXP7N/chart.svg", `<svg`},
		{"/static/style.css", `--ink`},
		{"/static/live.js", `EventSource`},
	} {
		code, body := c.get(p.path)
		if code != http.StatusOK || !strings.Contains(body, p.want) {
			t.Errorf("GET %s = %d, has %q: %v; want 200 with it", p.path, code, p.want, strings.Contains(body, p.want))
		}
	}
	_ = drafts
	for _, p := range []struct {
		path string
		code int
	}{
		{"/requests/NOPE-001", 404}, {"/campaigns/NOPE", 404}, {"/drafts/999", 404}, {"/drafts/x", 400},
		{"/attachments/999", 404}, {"/requests/LXP7N-001/reply?template=../../etc/passwd", 400},
	} {
		if code, _ := c.get(p.path); code != p.code {
			t.Errorf("GET %s = %d, want %d", p.path, code, p.code)
		}
	}
	// The board shows every request, and filtering by phase only those.
	_, body := c.get("/campaigns/LXP7N")
	if n := strings.Count(body, `<tr data-ref="`); n != 31 {
		t.Errorf("board rows = %d, want 31", n)
	}
	_, body = c.get("/campaigns/LXP7N?phase=refused")
	if n := strings.Count(body, `<tr data-ref="`); n != 0 {
		t.Errorf("refused rows before confirmation = %d, want 0", n)
	}
	_, body = c.get("/campaigns/LXP7N?q=Bradford")
	if n := strings.Count(body, `<tr data-ref="`); n != 1 || !strings.Contains(body, "LXP7N-004") {
		t.Errorf("search Bradford: %d rows, want LXP7N-004 alone", n)
	}
}

// TestActions: every action changes what it says, through the same store
// and scheduler calls as the command line, under the person's name.
func TestActions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	w.reply("LXP7N-004", refusal)
	w.reply("LXP7N-009", refusal)
	w.reply("LXP7N-010", answer)
	_, c := w.server("127.0.0.1:8025", nil)

	// Confirm a suggested refusal in one click.
	if code, _ := c.post("/requests/LXP7N-004/mark", url.Values{"state": {"refused"}, "note": {"confirmed"}}); code != http.StatusSeeOther {
		t.Fatalf("mark = %d", code)
	}
	if st := w.state("LXP7N-004"); st != lifecycle.Refused {
		t.Errorf("LXP7N-004 after confirming = %s, want refused", st)
	}
	if e := w.lastEvent("LXP7N-004"); e.Actor != "Asha at the desk" {
		t.Errorf("event actor = %q, want the local user's name", e.Actor)
	}
	_, body := c.get("/requests/LXP7N-004")
	if !strings.Contains(body, "Asha at the desk marked the request refused") {
		t.Errorf("the timeline does not name who marked it:\n%s", body)
	}

	// Bulk: confirm the suggestions of the selected rows.
	code, _ := c.post("/campaigns/LXP7N/bulk", url.Values{"action": {"confirm"}, "ref": {"LXP7N-009", "LXP7N-010", "LXP7N-011"}})
	if code != http.StatusSeeOther || w.state("LXP7N-009") != lifecycle.Refused || w.state("LXP7N-010") != lifecycle.Successful {
		t.Errorf("bulk confirm = %d; states %s, %s; want refused, successful", code, w.state("LXP7N-009"), w.state("LXP7N-010"))
	}
	if f := c.flash(); !strings.Contains(f, "Done for 2 requests") || !strings.Contains(f, "LXP7N-011 (nothing to confirm)") {
		t.Errorf("bulk flash = %q", f)
	}
	c.post("/campaigns/LXP7N/bulk", url.Values{"action": {"mark"}, "state": {"acknowledged"}, "ref": {"LXP7N-012"}})
	if st := w.state("LXP7N-012"); st != lifecycle.Acknowledged {
		t.Errorf("bulk mark = %s, want acknowledged", st)
	}

	// A follow-up from a template, edited before it is queued.
	code, _ = c.post("/requests/LXP7N-013/reply", url.Values{"template": {"first_chaser"}, "body": {"Dear FOI team,\n\nPlease answer.\n"}, "how": {"queue"}})
	out, _ := w.st.RequestOutbox(w.ctx, w.request("LXP7N-013").ID)
	last := out[len(out)-1]
	if code != http.StatusSeeOther || last.State != lifecycle.OutboxPending || last.Kind != "first_chaser" {
		t.Errorf("reply = %d, outbox %+v; want a pending first_chaser", code, last)
	}
	if _, body := c.get("/schedule"); !strings.Contains(body, `data-ref="LXP7N-013" data-outbox="`+strconv.FormatInt(last.ID, 10)+`"`) {
		t.Errorf("the schedule does not show the queued letter %d with hold and cancel", last.ID)
	}
	// Hold it (back to a draft), then approve it, then hold and cancel.
	c.post("/outbox/"+strconv.FormatInt(last.ID, 10)+"/hold", url.Values{})
	if it, _ := w.st.OutboxItem(w.ctx, last.ID); it.State != lifecycle.OutboxDraft {
		t.Errorf("after hold: %s, want draft", it.State)
	}
	c.post("/drafts/"+strconv.FormatInt(last.ID, 10)+"/edit", url.Values{"body": {"Dear FOI team,\n\nPlease answer soon.\n"}})
	if it, _ := w.st.OutboxItem(w.ctx, last.ID); !strings.Contains(it.Letter, "answer soon") {
		t.Errorf("after edit, the letter is %q", it.Letter)
	}
	c.post("/drafts/"+strconv.FormatInt(last.ID, 10)+"/approve", url.Values{})
	if it, _ := w.st.OutboxItem(w.ctx, last.ID); it.State != lifecycle.OutboxPending {
		t.Errorf("after approve: %s, want pending", it.State)
	}
	c.post("/outbox/"+strconv.FormatInt(last.ID, 10)+"/cancel", url.Values{})
	if it, _ := w.st.OutboxItem(w.ctx, last.ID); it.State != lifecycle.OutboxCancelled {
		t.Errorf("after cancel: %s, want cancelled", it.State)
	}

	// A review with grounds, after the refusal.
	c.post("/requests/LXP7N-004/review", url.Values{"grounds": {"A narrower search would be within the cost limit."}})
	out, _ = w.st.RequestOutbox(w.ctx, w.request("LXP7N-004").ID)
	last = out[len(out)-1]
	if last.Kind != lifecycle.KindReview || last.State != lifecycle.OutboxPending || !strings.Contains(last.Letter, "narrower search") {
		t.Errorf("review: %+v; want a pending review with the grounds", last)
	}

	// A draft kept for later, then discarded.
	code, loc := c.post("/requests/LXP7N-014/reply", url.Values{"template": {"clarification"}, "how": {"draft"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/drafts/") {
		t.Fatalf("draft reply = %d → %q", code, loc)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/drafts/"), 10, 64)
	c.post(loc+"/approve", url.Values{})
	if it, _ := w.st.OutboxItem(w.ctx, id); it.State != lifecycle.OutboxDraft {
		t.Errorf("approving a draft with a placeholder left: %s, want it still a draft", it.State)
	}
	if f := c.flash(); !strings.Contains(f, "line to write") {
		t.Errorf("flash after approving with a placeholder = %q", f)
	}
	c.post(loc+"/discard", url.Values{})
	if it, _ := w.st.OutboxItem(w.ctx, id); it.State != lifecycle.OutboxCancelled {
		t.Errorf("after discard: %s, want cancelled", it.State)
	}
	if e := w.lastEvent("LXP7N-014"); e.Kind != lifecycle.EventDiscarded || e.Actor != "Asha at the desk" {
		t.Errorf("discard event = %+v, want discarded by the local user", e)
	}

	// Withdraw.
	c.post("/requests/LXP7N-015/withdraw", url.Values{})
	if st := w.state("LXP7N-015"); st != lifecycle.Withdrawn {
		t.Errorf("withdraw: %s", st)
	}

	// File an unmatched reply under its request.
	out2 := w.mail("From: Records <foi@avon-wiltshire.example.invalid>\nTo: campaign@foi.test\nSubject: Your recent enquiry\nMessage-ID: <lost-1@trust.test>\nDate: Mon, 09 Mar 2026 12:00:00 +0000\n\nWe hold no such posts.\n")
	if out2.Ref != "" {
		t.Fatalf("the test mail was filed under %s; it should be unmatched", out2.Ref)
	}
	c.post("/unmatched/"+strconv.FormatInt(out2.ID, 10)+"/assign", url.Values{"ref": {"LXP7N-016"}})
	if m, _ := w.st.MessageByID(w.ctx, out2.ID); m.RequestID != w.request("LXP7N-016").ID {
		t.Errorf("after assign, the message is on request %d, want LXP7N-016's (outcome %+v; %s)", m.RequestID, out2, c.flash())
	}

	// A letter in doubt: send again, or mark it sent.
	for i, path := range []string{"resend", "mark-sent"} {
		ref := []string{"LXP7N-017", "LXP7N-018"}[i]
		l, err := w.sch.Letter(w.facts(ref), "first_chaser", "", w.now())
		if err != nil {
			t.Fatal(err)
		}
		q, err := w.sch.QueueReply(w.ctx, w.facts(ref), "first_chaser", l, false, w.now())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.st.Claim(w.ctx, q.ID, w.now()); err != nil {
			t.Fatal(err)
		}
		if err := w.st.MarkInDoubt(w.ctx, q.ID, "the connection dropped after the data", w.now()); err != nil {
			t.Fatal(err)
		}
		if _, body := c.get("/"); !strings.Contains(body, `class="doubt-item" data-ref="`+ref+`"`) {
			t.Errorf("Today does not show %s in doubt", ref)
		}
		c.post("/requests/"+ref+"/"+path, url.Values{})
		it, _ := w.st.OutboxItem(w.ctx, q.ID)
		want := map[string]lifecycle.OutboxState{"resend": lifecycle.OutboxPending, "mark-sent": lifecycle.OutboxSent}[path]
		if it.State != want {
			t.Errorf("%s: the letter is %s, want %s", path, it.State, want)
		}
	}
}

func (w *world) facts(ref string) schedule.Facts {
	w.t.Helper()
	f, err := w.sch.Facts(w.ctx, w.request(ref))
	if err != nil {
		w.t.Fatal(err)
	}
	return f
}

// TestForgedAndGetRequestsChangeNothing: a POST without the CSRF token, or
// with a wrong one, or from another site, is 403 and changes nothing; a GET
// of an action's URL changes nothing either.
func TestForgedAndGetRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	w.reply("LXP7N-004", refusal)
	_, c := w.server("127.0.0.1:8025", nil)
	token := c.csrf()
	before, _ := w.st.Changes(w.ctx)
	for _, tc := range []struct {
		name   string
		v      url.Values
		origin string
	}{
		{"no token", url.Values{"csrf": {""}, "state": {"refused"}}, ""},
		{"wrong token", url.Values{"csrf": {token + "x"}, "state": {"refused"}}, ""},
		{"another site", url.Values{"csrf": {token}, "state": {"refused"}}, "https://evil.example.net"},
	} {
		req, _ := http.NewRequest(http.MethodPost, c.base+"/requests/LXP7N-004/mark", strings.NewReader(tc.v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, resp.StatusCode)
		}
	}
	// A browser without the session cookie (a forged form elsewhere).
	req, _ := http.NewRequest(http.MethodPost, c.base+"/campaigns/LXP7N/bulk", strings.NewReader(url.Values{"csrf": {token}, "action": {"withdraw"}, "ref": {"LXP7N-001"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without the session: %v %v, want 403", resp.StatusCode, err)
	}
	for _, path := range []string{"/requests/LXP7N-004/mark?state=refused", "/requests/LXP7N-001/withdraw", "/campaigns/LXP7N/bulk?action=withdraw&ref=LXP7N-001",
		"/drafts/1/approve", "/drafts/1/discard", "/outbox/1/cancel", "/requests/LXP7N-001/resend", "/unmatched/1/assign?ref=LXP7N-001", "/logout"} {
		if code, _ := c.get(path); code != http.StatusMethodNotAllowed {
			t.Errorf("GET %s = %d, want 405", path, code)
		}
	}
	after, _ := w.st.Changes(w.ctx)
	if before != after || w.state("LXP7N-004") != lifecycle.Responded || w.state("LXP7N-001") != lifecycle.Sent {
		t.Errorf("something changed: %s → %s; LXP7N-004 %s, LXP7N-001 %s", before, after, w.state("LXP7N-004"), w.state("LXP7N-001"))
	}
	// A loopback dashboard reached under another name (DNS rebinding).
	req, _ = http.NewRequest(http.MethodGet, c.base+"/", nil)
	req.Host = "attacker.example.net"
	if resp, err := c.http.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET with Host attacker.example.net: %v %v, want 421", resp.StatusCode, err)
	}
}

// TestNonLoopbackNeedsAccounts: beyond loopback the dashboard refuses to
// start until a volunteer has an account.
func TestNonLoopbackNeedsAccounts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, l := range []string{"127.0.0.1:8025", "localhost:8025", "[::1]:8025"} {
		if err := CheckListen(w.ctx, w.st, l); err != nil {
			t.Errorf("CheckListen(%s) = %v, want nil", l, err)
		}
	}
	err := CheckListen(w.ctx, w.st, "0.0.0.0:8025")
	if !errors.Is(err, ErrNoAccounts) || !strings.Contains(err.Error(), "foi users add") {
		t.Errorf("CheckListen(0.0.0.0) without accounts = %v, want ErrNoAccounts naming foi users add", err)
	}
	if err := w.st.AddVolunteer(w.ctx, "Asha", "correct horse battery", w.now()); err != nil {
		t.Fatal(err)
	}
	if err := CheckListen(w.ctx, w.st, "0.0.0.0:8025"); err != nil {
		t.Errorf("CheckListen(0.0.0.0) with an account = %v, want nil", err)
	}
}

// TestLogin: with accounts every page needs a login; a wrong password is
// 401; after a few in a row each attempt must wait longer (429, even with
// the right password), as the injected clock shows; the volunteer's
// actions carry their name.
func TestLogin(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	w.reply("LXP7N-004", refusal)
	if err := w.st.AddVolunteer(w.ctx, "Ben Okafor", "correct horse battery", w.now()); err != nil {
		t.Fatal(err)
	}
	_, c := w.server("0.0.0.0:8025", nil)
	resp, err := c.http.Get(c.base + "/campaigns/LXP7N")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("GET a page without logging in = %d → %s, want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	login := func(pw string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, c.base+"/login", strings.NewReader(url.Values{"name": {"Ben Okafor"}, "password": {pw}, "next": {"/campaigns"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.base)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for i := 1; i <= 20; i++ {
		if i > store.FreeLoginFailures {
			// Straight after a wrong one: slowed down, without looking.
			r := login("correct horse battery")
			if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
				t.Fatalf("attempt straight after wrong one %d = %d (Retry-After %q), want 429", i-1, r.StatusCode, r.Header.Get("Retry-After"))
			}
			w.setNow(w.now().Add(store.LoginDelay(i - 1)))
		}
		if r := login("wrong password " + strconv.Itoa(i)); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d = %d, want 401", i, r.StatusCode)
		}
	}
	r := login("correct horse battery")
	if want := strconv.Itoa(int(store.MaxLoginDelay.Seconds())); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != want {
		t.Errorf("after 20 wrong passwords: %d, Retry-After %q; want 429, %s", r.StatusCode, r.Header.Get("Retry-After"), want)
	}
	w.setNow(w.now().Add(store.MaxLoginDelay))
	if r := login("correct horse battery"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/campaigns" {
		t.Fatalf("right password once the wait is over = %d → %s", r.StatusCode, r.Header.Get("Location"))
	}
	for _, ck := range resp.Cookies() {
		_ = ck
	}
	code, body := c.get("/")
	if code != http.StatusOK || !strings.Contains(body, `id="who">Ben Okafor<`) {
		t.Fatalf("after logging in: %d, who shown: %v", code, strings.Contains(body, "Ben Okafor"))
	}
	c.post("/requests/LXP7N-004/mark", url.Values{"state": {"refused"}})
	if e := w.lastEvent("LXP7N-004"); e.Actor != "Ben Okafor" {
		t.Errorf("event actor = %q, want Ben Okafor", e.Actor)
	}
	// Logging out ends the session.
	c.post("/logout", url.Values{})
	if resp, _ := c.http.Get(c.base + "/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET / after logging out = %d, want a redirect to /login", resp.StatusCode)
	}
}

// TestSessionCookie: HttpOnly, SameSite=Strict, and Secure under TLS.
func TestSessionCookie(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, secure := range []bool{false, true} {
		_, c := w.server("127.0.0.1:8025", func(o *Options) { o.Secure = secure })
		resp, err := c.http.Get(c.base + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		set := resp.Header.Get("Set-Cookie")
		if !strings.Contains(set, "foi_session=") || !strings.Contains(set, "HttpOnly") || !strings.Contains(set, "SameSite=Strict") ||
			strings.Contains(set, "Secure") != secure {
			t.Errorf("secure=%v: Set-Cookie %q", secure, set)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP = %q", csp)
		}
	}
}

// TestAttachmentDownload: the original bytes, as a download with a safe
// name, never sniffed or shown.
func TestAttachmentDownload(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	content := "%PDF-1.4\n<script>alert(1)</script> three posts\x00\xff"
	out := w.reply("LXP7N-001", answer, `../../etc/posts "2026".pdf`, content)
	atts, err := w.st.Attachments(w.ctx, out.ID)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments = %v, %v", atts, err)
	}
	_, c := w.server("127.0.0.1:8025", nil)
	if _, body := c.get("/requests/LXP7N-001"); !strings.Contains(body, `href="/attachments/`+strconv.FormatInt(atts[0].ID, 10)+`"`) {
		t.Errorf("the request page does not link the attachment")
	}
	resp, err := c.http.Get(c.base + "/attachments/" + strconv.FormatInt(atts[0].ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if string(got) != content {
		t.Errorf("downloaded %q, want the original %q", got, content)
	}
	h := resp.Header
	cd := h.Get("Content-Disposition")
	if plain := strings.SplitN(cd, "filename*", 2)[0]; !strings.HasPrefix(cd, "attachment;") || strings.Contains(plain, "/") || strings.Count(plain, `"`) != 2 {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if strings.Contains(strings.SplitN(cd, "filename*", 2)[0], `"2026"`) {
		t.Errorf("the quoted file name breaks out of its quotes: %q", cd)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "application/pdf" {
		t.Errorf("headers: nosniff %q, type %q", h.Get("X-Content-Type-Options"), h.Get("Content-Type"))
	}
}

// TestHTMLMailSanitised: a reply's HTML is shown without its script, its
// handlers, its remote image or its frame.
func TestHTMLMailSanitised(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	r := w.request("LXP7N-002")
	if out := w.mail(htmlReply(r.ToAddress, r.Ref, r.MessageID)); out.Ref != "LXP7N-002" {
		t.Fatalf("the HTML reply was not filed: %+v", out)
	}
	_, c := w.server("127.0.0.1:8025", nil)
	_, body := c.get("/requests/LXP7N-002")
	if !strings.Contains(body, `<div class="html-body">`) || !strings.Contains(body, "We hold <b>2</b> such posts.") {
		t.Fatalf("the sanitised HTML is not shown:\n%s", body)
	}
	html := body[strings.Index(body, `<div class="html-body">`):]
	html = html[:strings.Index(html, "</details>")]
	for _, bad := range []string{"<script", "alert", "onerror", "onclick", "tracker.example.net", "<img", "<iframe", "evil.example.net", "javascript:", "<style"} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("the shown HTML contains %q:\n%s", bad, html)
		}
	}
	if strings.Contains(body, "<script>") || strings.Count(body, "<script") != 1 {
		t.Errorf("the page has a script other than /static/live.js")
	}
}

// TestLiveEvents: /events says "change" at once and again when something
// is recorded.
func TestLiveEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, c := w.server("127.0.0.1:8025", nil)
	c.csrf() // a session
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/events", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	buf := make([]byte, 4096)
	read := func() string {
		var got strings.Builder
		for !strings.Contains(got.String(), "event: change") {
			n, err := resp.Body.Read(buf)
			if err != nil {
				t.Fatalf("read events: %v (got %q)", err, got.String())
			}
			got.Write(buf[:n])
		}
		return got.String()
	}
	read()
	w.reply("LXP7N-004", refusal)
	if got := read(); !strings.Contains(got, "event: change") {
		t.Errorf("no change event after a reply: %q", got)
	}
}

// TestNewAddress: the page says what a new address changes, changing
// nothing; the button applies it to the authority's open requests.
func TestNewAddress(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, c := w.server("127.0.0.1:8025", nil)
	old := w.request("LXP7N-005").ToAddress
	code, body := c.get("/requests/LXP7N-005/address?address=records%40trust.example.net")
	if code != 200 || !strings.Contains(body, "records@trust.example.net") || !strings.Contains(body, `href="/requests/LXP7N-005"`) {
		t.Fatalf("plan: %d\n%s", code, body)
	}
	if got := w.request("LXP7N-005").ToAddress; got != old {
		t.Fatalf("showing the plan changed the address to %s", got)
	}
	if code, _ := c.get("/requests/LXP7N-005/address?address=not-an-address"); code != http.StatusBadRequest {
		t.Errorf("plan for a bad address = %d, want 400", code)
	}
	c.post("/requests/LXP7N-005/address", url.Values{"address": {"records@trust.example.net"}})
	if got := w.request("LXP7N-005").ToAddress; got != "records@trust.example.net" {
		t.Errorf("after applying, the address is %s", got)
	}
	if e := w.lastEvent("LXP7N-005"); e.Kind != lifecycle.EventRedirect || e.Actor != "Asha at the desk" {
		t.Errorf("event = %+v, want a redirect by the local user", e)
	}
}

// TestComplaintPack: before a complaint is due the page says when, and
// builds it anyway on request; the zip is report.BuildPack's.
func TestComplaintPack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	w.reply("LXP7N-004", refusal)
	_, c := w.server("127.0.0.1:8025", nil)
	c.post("/requests/LXP7N-004/mark", url.Values{"state": {"refused"}})
	code, body := c.get("/requests/LXP7N-004/pack.zip")
	if code != 200 || !strings.Contains(body, "not due yet") || !strings.Contains(body, `id="pack-force"`) {
		t.Fatalf("pack before it is due: %d\n%s", code, body)
	}
	resp, err := c.http.Get(c.base + "/requests/LXP7N-004/pack.zip?force=1")
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(string(zipped), "PK") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "LXP7N-004-complaint-pack.zip") {
		t.Errorf("forced pack: %d %q %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(zipped))
	}
}

// TestBouncedRequestSentAgain: a bounced request goes again to the
// corrected address, same reference, new Message-ID, the bounced attempt
// kept; the authority's other open requests take the address too; the
// clock starts from the new delivery.
func TestBouncedRequestSentAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-03 09:30"))
	before := w.request("LXP7N-006")
	if err := w.st.SetState(w.ctx, "LXP7N-006", lifecycle.DeliveryFailed, "foi", "bounced: no such user", w.now()); err != nil {
		t.Fatal(err)
	}
	_, c := w.server("127.0.0.1:8025", nil)
	if _, body := c.get("/requests/LXP7N-006"); !strings.Contains(body, `id="reissue"`) {
		t.Fatalf("the bounced request's page has no form to send it again")
	}
	if _, body := c.get("/requests/LXP7N-007"); strings.Contains(body, `id="reissue"`) {
		t.Errorf("a delivered request's page offers to send it again")
	}
	c.post("/requests/LXP7N-006/reissue", url.Values{"address": {"foi@corrected.example.net"}, "others": {"1"}})
	after := w.request("LXP7N-006")
	if after.ToAddress != "foi@corrected.example.net" || after.MessageID == before.MessageID || after.Ref != before.Ref || !after.SentAt.IsZero() {
		t.Fatalf("after sending again: to %s, Message-ID %s (was %s), sent %s; flash %q", after.ToAddress, after.MessageID, before.MessageID, after.SentAt, c.flash())
	}
	if after.State != lifecycle.Queued {
		t.Errorf("state = %s, want queued", after.State)
	}
	out, _ := w.st.RequestOutbox(w.ctx, after.ID)
	if len(out) != 2 || out[0].State != lifecycle.OutboxSent || out[0].Step != lifecycle.StepManual ||
		out[1].Step != lifecycle.StepLetter || out[1].State != lifecycle.OutboxPending || out[1].MessageID != after.MessageID || out[1].To != "foi@corrected.example.net" {
		t.Fatalf("outbox = %+v; want the bounced attempt kept and the letter queued again", out)
	}
	if a := w.request("LXP7N-006").Authority; a.Email != "foi@corrected.example.net" {
		t.Errorf("the authority's address is %s, want the corrected one", a.Email)
	}
	w.setNow(on("2026-03-04 10:00"))
	w.send()
	if got := w.request("LXP7N-006"); got.State != lifecycle.Sent || !got.SentAt.Equal(w.now()) {
		t.Errorf("after the outbox sends it: %s, sent %s; want sent now (%s)", got.State, got.SentAt, w.now())
	}
	if e := w.lastEvent("LXP7N-006"); e.Kind != lifecycle.EventSent {
		t.Errorf("last event %+v", e)
	}
}

// TestComplaintWindowOnToday: a refusal shows on Today once the
// Commissioner's six weeks are running out, with the last day.
func TestComplaintWindowOnToday(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setNow(on("2026-03-09 11:00"))
	w.reply("LXP7N-004", refusal)
	_, c := w.server("127.0.0.1:8025", nil)
	c.post("/requests/LXP7N-004/mark", url.Values{"state": {"refused"}})
	if _, body := c.get("/"); strings.Contains(body, `class="window-item" data-ref="LXP7N-004"`) {
		t.Errorf("the refusal's window shows on the day of the refusal")
	}
	w.setNow(on("2026-04-15 11:00"))
	_, body := c.get("/")
	if !strings.Contains(body, `class="window-item" data-ref="LXP7N-004"`) || !strings.Contains(body, "complain by") {
		t.Errorf("five weeks after the refusal, Today does not show its closing window:\n%s", body)
	}
}

// TestCalendarFeed: the board links the campaign's feed; the feed needs no
// login (a calendar application cannot), only its token; a wrong token is
// 404.
func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if err := w.st.AddVolunteer(w.ctx, "Ben Okafor", "correct horse battery", w.now()); err != nil {
		t.Fatal(err)
	}
	srv, c := w.server("0.0.0.0:8025", nil)
	_ = srv
	tok, err := results.FeedToken(w.ctx, w.st, "LXP7N")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(c.base + results.FeedPath(tok))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(string(body), "BEGIN:VCALENDAR") {
		t.Errorf("feed: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for _, bad := range []string{"/calendar/" + tok, "/calendar/0123456789abcdef0123456789abcdef.ics", "/calendar/.ics"} {
		resp, err := http.Get(c.base + bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", bad, resp.StatusCode)
		}
	}
}
