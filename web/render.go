package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"foi/campaign"
	"foi/lifecycle"
	"foi/schedule"
	"foi/store"
)

// view is what every page's template gets.
type view struct {
	Title string
	Nav   string
	Who   string
	Local bool
	CSRF  string
	// Back is the page itself, for forms to come back to.
	Back  string
	Flash *flash
	Data  any
}

// page wraps a GET handler that returns its template, title, nav and data.
func (s *Server) page(h func(r *http.Request) (tpl, title, nav string, data any, err error)) http.HandlerFunc {
	return s.authed(func(w http.ResponseWriter, r *http.Request) {
		tpl, title, nav, data, err := h(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.renderPage(w, r, http.StatusOK, tpl, title, nav, data)
	})
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, tpl, title, nav string, data any) {
	v := view{Title: title, Nav: nav, Data: data, Back: r.URL.RequestURI(), Flash: s.takeFlash(w, r)}
	if u := whoOf(r.Context()); u != nil {
		v.Who, v.Local, v.CSRF = u.Name, u.local, u.CSRF
		if u.local && u.Name == "user" {
			v.Who = "you"
		}
	}
	s.execute(w, status, tpl, v)
}

// render is for the pages without a session (the login page).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, tpl, title string, data any) {
	s.execute(w, status, tpl, view{Title: title, Data: data})
}

func (s *Server) execute(w http.ResponseWriter, status int, tpl string, v view) {
	t, ok := s.pages[tpl]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.opt.Log.Error("render", "page", tpl, "err", err)
		http.Error(w, "The page could not be shown: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers an error: 404 for what is not there, 409 for what changed
// meanwhile, 400 for bad input, else 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var bad badInput
	switch {
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, store.ErrConflict), errors.Is(err, schedule.ErrNotDraft):
		status = http.StatusConflict
	case errors.As(err, &bad):
		status = http.StatusBadRequest
	}
	if status == http.StatusInternalServerError {
		s.opt.Log.Error("dashboard", "path", r.URL.Path, "err", err)
	}
	s.renderPage(w, r, status, "error", "Something went wrong", "", sayError(err))
}

// badInput is a form or a URL that makes no sense.
type badInput string

func (e badInput) Error() string { return string(e) }

// sayError is an error in plain words for a person.
func sayError(err error) string {
	var hole *schedule.PlaceholderError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "That could not be found: " + err.Error() + "."
	case errors.Is(err, schedule.ErrNotDraft):
		return "That letter is no longer a draft (someone approved, sent or discarded it meanwhile): nothing was changed."
	case errors.Is(err, store.ErrConflict):
		return "That changed meanwhile (someone else may have acted on it), so nothing was done. Look again and retry."
	case errors.As(err, &hole):
		return fmt.Sprintf("The letter still has a line to write before it can go (line %d: %s). Write it in the letter, then try again.", hole.Placeholder.Line, hole.Placeholder.Text)
	case errors.Is(err, schedule.ErrComplaintNotSent):
		return "foi never sends a complaint to the Commissioner itself: download the complaint pack from the request's page and file it."
	}
	return err.Error()
}

var london = campaign.London()

var funcs = template.FuncMap{
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.In(london).Format("Mon 2 Jan 2006")
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.In(london).Format("Mon 2 Jan 2006, 15:04")
	},
	"iso":           func(t time.Time) string { return t.In(london).Format(time.RFC3339) },
	"stateWords":    stateWords,
	"outboxWords":   outboxWords,
	"phaseWords":    phaseWords,
	"plural":        plural,
	"pair":          func(v view, x any) pairOf { return pairOf{v, x} },
	"kindWords":     kindWords,
	"templateWords": templateWords,
	"needsAction":   needsAction,
	"pct": func(n, total int) int {
		if total == 0 {
			return 0
		}
		return n * 100 / total
	},
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%d KB", n/(1<<10))
		}
		return fmt.Sprintf("%d bytes", n)
	},
}

// outboxWords is where a letter stands, as the dashboard says it.
func outboxWords(st lifecycle.OutboxState) string {
	switch st {
	case lifecycle.OutboxDraft:
		return "waiting for approval"
	case lifecycle.OutboxPending:
		return "approved: it goes at the next sending time"
	case lifecycle.OutboxSending:
		return "being sent now"
	case lifecycle.OutboxSent:
		return "sent"
	case lifecycle.OutboxTempFailed:
		return "the mail server put it off: foi tries again"
	case lifecycle.OutboxFailed:
		return "refused by the authority's mail server"
	case lifecycle.OutboxInDoubt:
		return "in doubt: it may have gone; decide on the Today page"
	case lifecycle.OutboxCancelled:
		return "cancelled"
	}
	return strings.ReplaceAll(string(st), "_", " ")
}

// stateWords is a request's state as the dashboard says it.
func stateWords(st lifecycle.State) string {
	switch st {
	case lifecycle.Draft, lifecycle.Queued:
		return "not sent yet"
	case lifecycle.Sent:
		return "sent, waiting for an answer"
	case lifecycle.Acknowledged:
		return "acknowledged, waiting for an answer"
	case lifecycle.AwaitingClarification:
		return "they asked us to clarify"
	case lifecycle.Extended:
		return "extended by the authority"
	case lifecycle.Responded:
		return "a reply to check"
	case lifecycle.Successful:
		return "answered in full"
	case lifecycle.PartiallySuccessful:
		return "partly answered"
	case lifecycle.Refused:
		return "refused"
	case lifecycle.NotHeld:
		return "information not held"
	case lifecycle.ReviewRequested:
		return "internal review asked for"
	case lifecycle.ReviewAnswered:
		return "internal review answered"
	case lifecycle.ICOReady:
		return "complaint ready to file"
	case lifecycle.ICOFiled:
		return "complaint filed"
	case lifecycle.Closed:
		return "closed"
	case lifecycle.DeliveryFailed:
		return "bounced: not delivered"
	case lifecycle.Withdrawn:
		return "withdrawn"
	}
	return strings.ReplaceAll(string(st), "_", " ")
}

// phases are the board's columns (report.Row.Phase), in order, with the
// words people read.
var phases = []struct{ Key, Words string }{
	{"unsent", "Not sent yet"},
	{"awaiting", "Waiting"},
	{"extended", "Extended"},
	{"clarification", "Clarifying"},
	{"overdue", "Overdue"},
	{"very overdue", "Very overdue"},
	{"answered", "Answered"},
	{"refused", "Refused"},
	{"in review", "In review"},
	{"ICO", "Complaint"},
	{"bounced", "Bounced"},
	{"withdrawn", "Withdrawn"},
	{"closed", "Closed"},
}

// pillWords is the board's label for a row: its phase, except that an
// outcome says which one (the "answered" phase holds not-held answers and
// the "refused" phase partial ones, which a volunteer must not misread).
func pillWords(phase string, st lifecycle.State) string {
	if phase == "answered" || phase == "refused" {
		switch st {
		case lifecycle.PartiallySuccessful:
			return "Partly answered"
		case lifecycle.NotHeld:
			return "Not held"
		case lifecycle.Refused:
			return "Refused"
		}
	}
	return phaseWords(phase)
}

func phaseWords(p string) string {
	for _, ph := range phases {
		if ph.Key == p {
			return ph.Words
		}
	}
	return p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// pair carries the page's view into a sub-template with an item.
type pairOf struct {
	V view
	X any
}

// kindWords is what a letter or a reply is, in words.
func kindWords(k lifecycle.Kind) string {
	switch k {
	case lifecycle.KindLetter:
		return "The request"
	case lifecycle.StepFirstChaser.Kind():
		return "First reminder"
	case lifecycle.StepFinalChaser.Kind():
		return "Final reminder"
	case lifecycle.StepReviewSilence.Kind(), lifecycle.StepReviewRefusal.Kind(), lifecycle.KindReview:
		return "Request for an internal review"
	case lifecycle.StepComplaint.Kind():
		return "Complaint to the Commissioner"
	}
	s := strings.ReplaceAll(string(k), "_", " ")
	if s == "" {
		return "Letter"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// templateWords names the letters a person can write.
func templateWords(name string) string {
	switch name {
	case "clarification":
		return "Answer their request for clarification"
	case "first_chaser":
		return "First reminder: the answer is late"
	case "final_chaser":
		return "Final reminder before a review"
	case "review_after_refusal":
		return "Ask for an internal review of a refusal"
	case "review_on_silence":
		return "Ask for an internal review: no answer"
	case "foisa_review":
		return "Ask for a review (Scotland)"
	}
	return name
}
