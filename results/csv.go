package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"foi/calendar"
	"foi/report"
	"foi/store"
)

// Record is one request as the CSV and JSON exports give it: dates as
// YYYY-MM-DD (Europe/London), last activity as RFC 3339.
type Record struct {
	Ref          string `json:"reference"`
	Authority    string `json:"authority"`
	Tags         string `json:"tags"`
	Jurisdiction string `json:"jurisdiction"`
	State        string `json:"state"`
	Sent         string `json:"sent"`
	Due          string `json:"due"`
	DueRule      string `json:"due_rule"`
	Acknowledged string `json:"acknowledged"`
	FirstReply   string `json:"first_substantive_reply"`
	DaysToReply  *int   `json:"working_days_to_reply"`
	// OnTime is yes, no, or "" while the authority still has time (or the
	// letter was not delivered).
	OnTime           string `json:"on_time"`
	Timeliness       string `json:"timeliness"`
	Completed        string `json:"completed"`
	DaysToComplete   *int   `json:"working_days_to_complete"`
	Outcome          string `json:"outcome"`
	OutcomeConfirmed bool   `json:"outcome_confirmed"`
	Exemptions       string `json:"exemptions"`
	Chasers          int    `json:"chasers_sent"`
	ReviewAsked      string `json:"review_asked"`
	ReviewAnswered   string `json:"review_answered"`
	ReviewOutcome    string `json:"review_outcome"`
	ICOComplaint     string `json:"ico_complaint"`
	AuthorityRef     string `json:"authority_reference"`
	LastReplySubject string `json:"last_reply_subject"`
	Files            int    `json:"files"`
	LastActivity     string `json:"last_activity"`
	// Answers are one per question, in order ("" where none is coded).
	Answers []JSONAnswer `json:"answers"`
}

// JSONAnswer is a request's answer to one question.
type JSONAnswer struct {
	Question int    `json:"question"`
	Answer   string `json:"answer"`
	Kind     string `json:"kind,omitempty"`
	Quote    string `json:"quote,omitempty"`
	CodedBy  string `json:"coded_by,omitempty"`
}

func day(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func onTime(t report.Timeliness) string {
	switch t {
	case report.OnTime:
		return "yes"
	case report.Late, report.Overdue:
		return "no"
	}
	return ""
}

// RecordOf is a row as the CSV and JSON exports give it.
func RecordOf(t *Table, r Row, cal *calendar.Calendar) Record {
	m := r.Measures
	rec := Record{
		Ref: r.Ref, Authority: r.Authority, Tags: strings.Join(r.Tags, ";"), Jurisdiction: r.Jurisdiction,
		State: string(m.Row.State), Due: day(m.Due), DueRule: m.Row.DueRule,
		Acknowledged: day(m.Acknowledged), FirstReply: day(m.FirstReply), DaysToReply: m.DaysToReply,
		OnTime: onTime(m.Timeliness), Timeliness: string(m.Timeliness),
		Completed: day(m.Completed), DaysToComplete: m.DaysToComplete,
		Outcome: string(m.Outcome), OutcomeConfirmed: m.OutcomeConfirmed, Exemptions: strings.Join(m.Exemptions, ";"),
		Chasers: m.Chasers, ReviewAsked: day(m.ReviewAsked), ReviewAnswered: day(m.ReviewAnswered),
		ReviewOutcome: m.ReviewOutcome, ICOComplaint: day(m.ICOComplaint), AuthorityRef: r.AuthorityRef, LastReplySubject: r.LastReplySubject, Files: r.Files,
		Answers: []JSONAnswer{},
	}
	if m.Timeliness == report.NotDelivered {
		// Not delivered: no clock ran, so no due date is shown.
		rec.Due, rec.DueRule = "", ""
	}
	if m.ExtensionTooLate {
		rec.DueRule += "; extension claimed after the 20th working day, not counted (FOIA s.17)"
	}
	if !m.Row.SentAt.IsZero() {
		rec.Sent = cal.Date(m.Row.SentAt).String()
	}
	if !m.Row.LastActivity.IsZero() {
		rec.LastActivity = m.Row.LastActivity.UTC().Format(time.RFC3339)
	}
	for _, q := range t.Questions {
		a, ok := r.Answers[q.Seq]
		ja := JSONAnswer{Question: q.Seq}
		if ok {
			ja.Answer, ja.Kind, ja.Quote, ja.CodedBy = Words(a), string(a.Kind), a.Quote, a.Actor
		}
		rec.Answers = append(rec.Answers, ja)
	}
	return rec
}

// csvHeader is the first line of the CSV, before the questions.
var csvHeader = []string{
	"Reference", "Authority", "Tags", "Jurisdiction", "State", "Sent", "Due", "Due rule", "Acknowledged",
	"First substantive reply", "Working days to reply", "On time", "Timeliness", "Completed",
	"Working days to complete", "Outcome", "Outcome confirmed", "Exemptions cited", "Chasers sent",
	"Review asked", "Review answered", "Review outcome", "ICO complaint", "Authority's reference",
	"Last reply subject", "Files", "Last activity",
}

func itoa(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (rec Record) cells() []string {
	c := []string{rec.Ref, rec.Authority, rec.Tags, rec.Jurisdiction, rec.State, rec.Sent, rec.Due, rec.DueRule,
		rec.Acknowledged, rec.FirstReply, itoa(rec.DaysToReply), rec.OnTime, rec.Timeliness, rec.Completed,
		itoa(rec.DaysToComplete), rec.Outcome, yesNo(rec.OutcomeConfirmed), rec.Exemptions, strconv.Itoa(rec.Chasers),
		rec.ReviewAsked, rec.ReviewAnswered, rec.ReviewOutcome, rec.ICOComplaint, rec.AuthorityRef,
		rec.LastReplySubject, strconv.Itoa(rec.Files), rec.LastActivity}
	for _, a := range rec.Answers {
		c = append(c, a.Answer)
	}
	return c
}

// CSVOptions shape the CSV file.
type CSVOptions struct {
	// BOM starts the file with a UTF-8 byte order mark, so that Excel reads
	// it as UTF-8.
	BOM bool
}

// WriteCSV writes the table as CSV: RFC 4180 (encoding/csv, CRLF line
// ends), one header line, one row per request, one column per question
// ("Q1 ..."), every cell made safe from formula injection (Neutralise).
func WriteCSV(w io.Writer, t *Table, cal *calendar.Calendar, o CSVOptions) error {
	if o.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	head := append([]string(nil), csvHeader...)
	for _, q := range t.Questions {
		head = append(head, fmt.Sprintf("Q%d %s", q.Seq, q.Text))
	}
	if err := cw.Write(neutraliseAll(head)); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := cw.Write(neutraliseAll(RecordOf(t, r, cal).cells())); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func neutraliseAll(cells []string) []string {
	for i, c := range cells {
		cells[i] = Neutralise(c)
	}
	return cells
}

// Neutralise makes a cell safe to open in a spreadsheet: one that starts
// with a character that makes Excel, LibreOffice or Google Sheets read a
// formula (=, +, -, @, or a tab or carriage return before one) is prefixed
// with an apostrophe, which they show as text (OWASP "CSV Injection"). A
// negative number stays a number.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r', '\n':
		return "'" + s
	case '-':
		if number.MatchString(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// WriteJSON writes the table as JSON: its title, questions and one record
// per request.
func WriteJSON(w io.Writer, t *Table, cal *calendar.Calendar) error {
	out := struct {
		Title     string           `json:"title"`
		Campaign  string           `json:"campaign,omitempty"`
		At        time.Time        `json:"at"`
		Questions []store.Question `json:"questions"`
		Requests  []Record         `json:"requests"`
	}{Title: t.Title, Campaign: t.Campaign, At: t.At.UTC(), Questions: t.Questions, Requests: make([]Record, len(t.Rows))}
	for i, r := range t.Rows {
		out.Requests[i] = RecordOf(t, r, cal)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
