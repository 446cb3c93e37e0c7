package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"foi/calendar"
	"foi/export"
	"foi/inbox"
	"foi/lifecycle"
	"foi/report"
	"foi/schedule"
	"foi/store"
)

// mailPolicy is what HTML mail may keep: text and its structure, and links
// (never followed by themselves). No script, no handler, no style, no
// image, no form, no frame: nothing that runs or loads.
func mailPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "div", "span", "b", "i", "u", "strong", "em", "small", "sub", "sup", "s",
		"ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "hr",
		"h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// threadItem is one line of a request's page: a message or a line of its
// history (report.Timeline), in the order they happened.
type threadItem struct {
	At          time.Time
	Event       *report.Entry
	Message     *store.Message
	Attachments []store.Attachment
	// HTML is the sanitised HTML body of a received message, if it had one.
	HTML template.HTML
}

type requestData struct {
	Request   store.Request
	Row       report.Row
	Items     []threadItem
	States    []lifecycle.State
	Templates []string
	Doubt     *store.OutboxItem
	Others    int
}

// requestFacts reads what is known about a request of the URL.
func (s *Server) requestFacts(ctx context.Context, ref string) (schedule.Facts, error) {
	r, err := s.opt.Store.Request(ctx, ref)
	if err != nil {
		return schedule.Facts{}, err
	}
	return s.opt.Scheduler.Facts(ctx, r)
}

func (s *Server) request(r *http.Request) (string, string, string, any, error) {
	ctx := r.Context()
	f, err := s.requestFacts(ctx, r.PathValue("ref"))
	if err != nil {
		return "", "", "", nil, err
	}
	d := requestData{Request: f.Request, Row: report.RowOf(s.opt.Scheduler, f, s.opt.Now()), States: markStates, Templates: replyTemplates}
	for i := range f.Thread {
		m := &f.Thread[i]
		atts, err := s.opt.Store.Attachments(ctx, m.ID)
		if err != nil {
			return "", "", "", nil, err
		}
		it := threadItem{At: m.CreatedAt, Message: m, Attachments: atts}
		if m.Direction == "in" {
			it.HTML = s.mailHTML(m)
		}
		d.Items = append(d.Items, it)
	}
	for _, e := range report.Timeline(f, s.opt.Scheduler.Cal, london) {
		e := e
		d.Items = append(d.Items, threadItem{At: e.At, Event: &e})
	}
	sort.SliceStable(d.Items, func(i, j int) bool { return d.Items[i].At.Before(d.Items[j].At) })
	for i := range f.Outbox {
		if f.Outbox[i].State == lifecycle.OutboxInDoubt {
			d.Doubt = &f.Outbox[i]
		}
	}
	return "request", f.Request.Ref + " · " + f.Request.Authority.Name, "campaigns", d, nil
}

// mailHTML is a received message's HTML body, sanitised, or "" if it had
// none (or it cannot be read: the text is shown all the same).
func (s *Server) mailHTML(m *store.Message) template.HTML {
	raw, err := s.opt.Store.ReadMail(m.SHA256)
	if err != nil {
		return ""
	}
	pm, err := inbox.Parse(raw)
	if err != nil || strings.TrimSpace(pm.HTML) == "" {
		return ""
	}
	return template.HTML(s.mail.Sanitize(pm.HTML))
}

type addressData struct {
	Request store.Request
	Plan    store.Redirected
}

// addressPlan shows what a new address would change (store.PlanRedirect),
// changing nothing, with the button that does it.
func (s *Server) addressPlan(r *http.Request) (string, string, string, any, error) {
	ctx := r.Context()
	req, err := s.opt.Store.Request(ctx, r.PathValue("ref"))
	if err != nil {
		return "", "", "", nil, err
	}
	plan, err := s.opt.Store.PlanRedirect(ctx, req.Ref, r.URL.Query().Get("address"))
	if err != nil {
		return "", "", "", nil, badInput(err.Error())
	}
	return "address", "A new address for " + req.Authority.Name, "campaigns", addressData{Request: req, Plan: plan}, nil
}

// replyTemplates are the letters a person may write from the request page.
var replyTemplates = []string{"clarification", "first_chaser", "final_chaser", "review_after_refusal", "review_on_silence", "foisa_review"}

type replyData struct {
	Request  store.Request
	Template string
	Names    []string
	Body     string
	Subject  string
	To       string
	Error    string
}

func (s *Server) replyForm(r *http.Request) (string, string, string, any, error) {
	ctx := r.Context()
	f, err := s.requestFacts(ctx, r.PathValue("ref"))
	if err != nil {
		return "", "", "", nil, err
	}
	d := replyData{Request: f.Request, Names: replyTemplates, Template: r.URL.Query().Get("template")}
	if d.Template != "" {
		if !validTemplate(d.Template) {
			return "", "", "", nil, badInput(fmt.Sprintf("%q is not a letter foi can write here", d.Template))
		}
		l, err := s.opt.Scheduler.Letter(f, d.Template, "", s.opt.Now())
		if err != nil {
			d.Error = err.Error()
		} else {
			d.Body, d.Subject, d.To = l.Body, l.Subject, l.To
		}
	}
	return "reply", "Write to " + f.Request.Authority.Name, "campaigns", d, nil
}

func validTemplate(name string) bool {
	for _, n := range replyTemplates {
		if n == name {
			return true
		}
	}
	return false
}

// pack builds the complaint pack (report.BuildPack) and sends it as a
// zip. Building it changes nothing; before a complaint is due it explains
// when it will be, unless asked to build it anyway.
func (s *Server) pack(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := s.requestFacts(ctx, r.PathValue("ref"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	force := r.URL.Query().Get("force") == "1"
	p, err := report.BuildPack(ctx, s.opt.Store, s.opt.Scheduler, f, s.opt.Now(), force)
	var early *report.NotDueError
	if errors.As(err, &early) {
		s.renderPage(w, r, http.StatusOK, "notdue", "Not yet due", "campaigns", struct {
			Ref, Why string
		}{f.Request.Ref, early.Error()})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := p.WriteZip(&buf); err != nil {
		s.fail(w, r, err)
		return
	}
	name := f.Request.Ref + "-complaint-pack.zip"
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", disposition(name))
	w.Write(buf.Bytes())
}

// attachment serves a stored file by its number: its original bytes, as
// a download, never shown in the page.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.opt.Store.AttachmentByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := os.Open(s.opt.Store.FilePath(a.SHA256))
	if err != nil {
		s.fail(w, r, fmt.Errorf("the file of attachment %d is missing from the data folder (run foi check): %w", id, err))
		return
	}
	defer f.Close()
	ctype := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(a.ContentType); err == nil && !strings.Contains(mt, "html") && !strings.Contains(mt, "xml") && !strings.Contains(mt, "javascript") {
		ctype = mt
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disposition(a.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	io.Copy(w, f)
}

// disposition is an attachment's Content-Disposition with a safe name:
// plain ASCII in filename, the whole name in filename* (RFC 6266).
func disposition(name string) string {
	safe := export.FileName(name)
	if safe == "" {
		safe = "file"
	}
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' || r == ';' {
			return '_'
		}
		return r
	}, safe)
	return fmt.Sprintf("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, url.PathEscape(safe))
}

// reviewTemplate is the letter asking for an internal review: after a
// refusal or a partial answer, or after silence (FOISA's own for a
// Scottish request, as the scheduler writes it).
func reviewTemplate(row report.Row, law string) string {
	if row.State == lifecycle.Refused || row.State == lifecycle.PartiallySuccessful || row.Phase == "refused" {
		return "review_after_refusal"
	}
	if calendar.Law(law).Scottish() {
		return "foisa_review"
	}
	return "review_on_silence"
}
