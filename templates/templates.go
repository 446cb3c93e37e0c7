// Package templates renders letters: Go text/template files with the
// request's data. The default letters are embedded from templates/letters;
// a user's own folder overrides them by file name. A campaign's first letter
// is the file given to `foi campaign new`, stored with the campaign so that
// what was previewed is what is sent.
//
// Rendering is strict: a field that does not exist is an error naming the
// template, the line and the field, never a blank in a letter to a public
// body. The package holds no mutable state; a *Set is safe for concurrent
// use.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"foi/calendar"
)

//go:embed letters/*.txt
var defaults embed.FS

// Data is everything a letter can use. Fields are documented in the README
// ("Writing letters").
type Data struct {
	Authority Authority
	Request   Request
	Campaign  Campaign
	Requester Requester
	// Today is the date the letter is written (Europe/London).
	Today time.Time
}

// Authority is the public body written to.
type Authority struct {
	Name         string
	ShortName    string
	Email        string
	Jurisdiction string
	Tags         []string
}

// Request is the request the letter belongs to.
type Request struct {
	Ref   string
	Title string
	// Law is the law the request is made under: foia, eir, foisa or eisr
	// (the campaign's if it sets one, else the authority's jurisdiction;
	// store.Request.Law). Letters cite it with {{lawname .Request.Law}} and
	// choose their wording with {{if scottish .Request.Law}},
	// {{if environmental .Request.Law}} or {{if eq .Request.Law "eir"}}.
	Law string
	// AuthorityRef is the authority's own reference once learned.
	AuthorityRef string
	// SentOn and DueOn are the delivery and response-due dates (zero before
	// the first letter is sent; DueOn also while the clock is stopped).
	SentOn time.Time
	DueOn  time.Time
	// Extended is true when the authority has extended the time for its
	// response (FOIA s.10(3), EIR and EISR reg. 7(1)); DueOn is then the
	// extended date. Never true under FOISA, which allows no extension.
	Extended bool
	// Grounds is the reason given in an internal-review request.
	Grounds string
	// The dates of what happened since (zero if it has not).
	RespondedOn time.Time
	// ChasedOn and FinalChasedOn are the days the first and the final
	// chaser went.
	ChasedOn      time.Time
	FinalChasedOn time.Time
	// ChasersSent is the day each chaser went, oldest first (empty if none
	// has): {{dates .Request.ChasersSent}} writes them all.
	ChasersSent       []time.Time
	ReviewRequestedOn time.Time
	ReviewDueOn       time.Time
	ReviewAnsweredOn  time.Time
}

// Campaign is the campaign of the request.
type Campaign struct {
	Slug  string
	Title string
}

// Requester is who the letter is from.
type Requester struct {
	Name         string
	Organisation string
	Email        string
}

// Funcs are the helpers letters may call: {{date .Today}} writes
// "2 March 2026", {{dates .Request.ChasersSent}} "1 April 2026, 15 April 2026
// and 29 April 2026", {{isodate .Today}} "2026-03-02", {{weekday .Today}}
// "Monday", {{upper .Request.Ref}}, {{or .Authority.ShortName .Authority.Name}}.
// A date that is not set (a response not yet received, a review not asked
// for) is an error in all four date helpers, never "1 January 0001": a
// letter leaves the sentence out with {{if not .Request.RespondedOn.IsZero}}.
//
// The law helpers take a law (or a jurisdiction, which names the same four
// laws): {{if scottish .Request.Law}} is true for foisa and eisr, whose
// Commissioner is the Scottish Information Commissioner;
// {{if environmental .Request.Law}} is true for eir and eisr;
// {{lawname .Request.Law}} writes the law's title, "Freedom of Information
// Act 2000". A law that is none of the four is taken as foia, as
// calendar.Law does. {{wronglaw "text"}} stops the rendering with an
// ErrWrongLaw saying text: a letter written for other laws says which
// letter to use instead.
var funcs = template.FuncMap{
	"date":          date,
	"dates":         dates,
	"isodate":       func(t time.Time) (string, error) { return format(t, "2006-01-02") },
	"weekday":       func(t time.Time) (string, error) { return format(t, "Monday") },
	"upper":         strings.ToUpper,
	"lower":         strings.ToLower,
	"scottish":      func(law string) bool { return calendar.Law(law).Scottish() },
	"environmental": environmental,
	"lawname":       lawName,
	"wronglaw":      func(text string) (string, error) { return "", wrongLaw(text) },
}

// ErrWrongLaw is the error of a letter rendered for a request under a law
// it is not written for (a complaint to the ICO about a Scottish request);
// the error's text names the letter to use.
var ErrWrongLaw = errors.New("templates: the letter is for another law")

type wrongLaw string

func (e wrongLaw) Error() string { return string(e) }
func (e wrongLaw) Unwrap() error { return ErrWrongLaw }

// errNoDate is what a date helper says of a date that is not set.
var errNoDate = errors.New("the date is not set (leave the sentence out with {{if not .X.IsZero}})")

func format(t time.Time, layout string) (string, error) {
	if t.IsZero() {
		return "", errNoDate
	}
	return t.Format(layout), nil
}

func date(t time.Time) (string, error) { return format(t, "2 January 2006") }

// dates writes days as a letter lists them: "A", "A and B", "A, B and C".
func dates(ts []time.Time) (string, error) {
	s := make([]string, len(ts))
	for i, t := range ts {
		d, err := date(t)
		if err != nil {
			return "", err
		}
		s[i] = d
	}
	if len(s) < 2 {
		return strings.Join(s, ""), nil
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1], nil
}

// environmental reports whether law is one of the environmental regimes
// (eir, eisr).
func environmental(law string) bool {
	l := calendar.Law(law)
	return l == calendar.EIR || l == calendar.EISR
}

// lawName is the short title of the law, as a letter cites it.
func lawName(law string) string {
	switch calendar.Law(law) {
	case calendar.EIR:
		return "Environmental Information Regulations 2004"
	case calendar.FOISA:
		return "Freedom of Information (Scotland) Act 2002"
	case calendar.EISR:
		return "Environmental Information (Scotland) Regulations 2004"
	}
	return "Freedom of Information Act 2000"
}

// Set is the embedded letters overridden by a user's folder.
type Set struct {
	dir string
}

// New returns the set of letters: the embedded defaults, each replaced by
// the file of the same name in dir if there is one ("" for none).
func New(dir string) *Set { return &Set{dir: dir} }

// Names lists every letter available by name.
func (s *Set) Names() ([]string, error) {
	seen := map[string]bool{}
	entries, err := fs.ReadDir(defaults, "letters")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		seen[strings.TrimSuffix(e.Name(), ".txt")] = true
	}
	if s.dir != "" {
		user, err := os.ReadDir(s.dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("templates folder: %w", err)
		}
		for _, e := range user {
			if strings.HasSuffix(e.Name(), ".txt") {
				seen[strings.TrimSuffix(e.Name(), ".txt")] = true
			}
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Source returns the text of the named letter (without ".txt") and where it
// came from.
func (s *Set) Source(name string) (src, origin string, err error) {
	if strings.ContainsAny(name, `/\`) || name == "" || strings.HasPrefix(name, ".") {
		return "", "", fmt.Errorf("template name %q: must be a plain name such as first_chaser", name)
	}
	if s.dir != "" {
		p := filepath.Join(s.dir, name+".txt")
		if b, err := os.ReadFile(p); err == nil {
			return string(b), p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("template %s: %w", name, err)
		}
	}
	b, err := defaults.ReadFile("letters/" + name + ".txt")
	if err != nil {
		names, _ := s.Names()
		return "", "", fmt.Errorf("template %q not found; available: %s", name, strings.Join(names, ", "))
	}
	return string(b), "built-in " + name + ".txt", nil
}

// Render renders the named letter of the set.
func (s *Set) Render(name string, d Data) (string, error) {
	src, _, err := s.Source(name)
	if err != nil {
		return "", err
	}
	return Render(name, src, d)
}

// Check parses a template without running it, so that a campaign is never
// created with a letter that cannot render.
func Check(name, src string) error {
	_, err := parse(name, src)
	return err
}

// Render executes the template text src, called name in errors, with d.
func Render(name, src string, d Data) (string, error) {
	t, err := parse(name, src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", explain(name, err)
	}
	return b.String(), nil
}

func parse(name, src string) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("template %s: %s", name, strings.TrimPrefix(err.Error(), "template: "))
	}
	return t, nil
}

// execErr matches text/template's execution errors, which carry the
// template name, line, column, the action and the cause.
var execErr = regexp.MustCompile(`^template: ([^:]+):(\d+):(\d+): executing "[^"]*" at <([^>]*)>: (.*)$`)

// explain turns an execution error into one that names the template, line
// and field, with the fields that do exist. It wraps the error it explains,
// so that errors.Is finds ErrWrongLaw.
func explain(name string, err error) error {
	m := execErr.FindStringSubmatch(err.Error())
	if m == nil {
		return &renderError{fmt.Sprintf("template %s: %s", name, strings.TrimPrefix(err.Error(), "template: ")), err}
	}
	msg := strings.TrimPrefix(m[5], "error calling wronglaw: ")
	if f := regexp.MustCompile(`can't evaluate field (\w+) in type (\S+)`).FindStringSubmatch(msg); f != nil {
		msg = fmt.Sprintf("unknown field %q (in %s); %s has: %s", f[1], m[4], shortType(f[2]), strings.Join(fieldsOf(f[2]), ", "))
	}
	return &renderError{fmt.Sprintf("template %s, line %s: %s", m[1], m[2], msg), err}
}

// renderError is a rendering error in words, wrapping text/template's.
type renderError struct {
	msg string
	err error
}

func (e *renderError) Error() string { return e.msg }
func (e *renderError) Unwrap() error { return e.err }

func shortType(t string) string { return t[strings.LastIndex(t, ".")+1:] }

// fieldsOf names the fields of the data types, for error messages.
func fieldsOf(typ string) []string {
	switch shortType(typ) {
	case "Data":
		return []string{"Authority", "Request", "Campaign", "Requester", "Today"}
	case "Authority":
		return []string{"Name", "ShortName", "Email", "Jurisdiction", "Tags"}
	case "Request":
		return []string{"Ref", "Title", "Law", "AuthorityRef", "SentOn", "DueOn", "Extended", "Grounds", "RespondedOn", "ChasedOn",
			"FinalChasedOn", "ChasersSent", "ReviewRequestedOn", "ReviewDueOn", "ReviewAnsweredOn"}
	case "Campaign":
		return []string{"Slug", "Title"}
	case "Requester":
		return []string{"Name", "Organisation", "Email"}
	}
	return nil
}
