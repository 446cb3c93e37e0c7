package campaign

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"foi/store"
	"foi/textsafe"
)

// Jurisdictions are the laws a request can be made under: FOIA 2000
// (England, Wales, Northern Ireland, UK-wide bodies), FOISA 2002 (Scottish
// bodies), and the Environmental Information Regulations 2004 and (Scotland)
// 2004 for environmental requests.
var Jurisdictions = []string{"foia", "foisa", "eir", "eisr"}

// csvColumns are the columns of an authorities file; only name and email are
// required.
var csvColumns = []string{"name", "email", "jurisdiction", "tags", "short_name", "notes"}

// LineError is a bad row in an authorities file: the line and field at fault.
type LineError struct {
	Line  int
	Field string
	Msg   string
}

func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d, field %s: %s", e.Line, e.Field, e.Msg)
}

var tagPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// ParseAuthorities reads an authorities CSV file: a header row naming the
// columns (name, email, jurisdiction, tags, short_name, notes, in any order;
// jurisdiction defaults to foia, tags are separated by ';'). It checks every
// row and returns all the bad ones together, each naming its line and
// field; callers import nothing unless the error is nil.
func ParseAuthorities(r io.Reader) ([]store.Authority, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("authorities file is empty: it needs a header row name,email,jurisdiction,tags,short_name")
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, syntaxError(pe, nil, len(header))
	}
	if err != nil {
		return nil, fmt.Errorf("read authorities header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		header[i] = h
		known := false
		for _, c := range csvColumns {
			known = known || c == h
		}
		if !known {
			return nil, &LineError{Line: 1, Field: h, Msg: fmt.Sprintf("unknown column; the columns are %s", strings.Join(csvColumns, ", "))}
		}
		if _, dup := col[h]; dup {
			return nil, &LineError{Line: 1, Field: h, Msg: "column named twice"}
		}
		col[h] = i
	}
	for _, req := range []string{"name", "email"} {
		if _, ok := col[req]; !ok {
			return nil, &LineError{Line: 1, Field: req, Msg: "required column missing"}
		}
	}
	var list []store.Authority
	var problems []error
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &pe) {
			// The reader drops the rest of the line it stopped on and
			// goes on with the next, so the rows after are still checked.
			problems = append(problems, syntaxError(pe, header, len(rec)))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read authorities: %w", err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(field, format string, args ...any) {
			problems = append(problems, &LineError{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
		}
		// A name goes into letters and headers: one line of UTF-8 text, or
		// the letters written to it could never be sent. Notes are only
		// for people, but must be text too.
		for _, name := range header {
			v := get(name)
			if name == "notes" {
				if !utf8.ValidString(v) {
					bad(name, "not valid UTF-8: save the file as UTF-8 (in a spreadsheet: CSV UTF-8)")
				}
			} else if err := textsafe.CheckLine(v); err != nil {
				bad(name, "%q %v", v, err)
			}
		}
		a := store.Authority{
			Name:         get("name"),
			ShortName:    get("short_name"),
			Email:        get("email"),
			Jurisdiction: strings.ToLower(get("jurisdiction")),
			Notes:        get("notes"),
			Tags:         []string{},
		}
		if a.Name == "" {
			bad("name", "empty")
		} else if first, dup := seen[strings.ToLower(a.Name)]; dup {
			bad("name", "%q duplicates line %d", a.Name, first)
		} else {
			seen[strings.ToLower(a.Name)] = line
		}
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email || !strings.Contains(a.Email[strings.LastIndex(a.Email, "@")+1:], ".") {
			bad("email", "%q is not a valid email address", a.Email)
		}
		if a.Jurisdiction == "" {
			a.Jurisdiction = "foia"
		} else if !validJurisdiction(a.Jurisdiction) {
			bad("jurisdiction", "%q is not one of %s", a.Jurisdiction, strings.Join(Jurisdictions, ", "))
		}
		for _, t := range strings.Split(get("tags"), ";") {
			t = strings.ToLower(strings.TrimSpace(t))
			if t == "" {
				continue
			}
			if !tagPattern.MatchString(t) {
				bad("tags", "%q is not a tag (letters, digits, - and _)", t)
				continue
			}
			a.Tags = append(a.Tags, t)
		}
		list = append(list, a)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if len(list) == 0 {
		return nil, errors.New("authorities file has a header but no rows")
	}
	return list, nil
}

// syntaxError explains a CSV syntax error in words a volunteer who made the
// file in a spreadsheet or a text editor can act on. columns are the header's
// column names (nil while reading the header itself) and field is the index
// of the field at fault: csv.Reader returns the fields it completed before
// the error, so the one at fault is the next (TestParseAuthoritiesQuotes
// pins this). The reader's LazyQuotes is no cure: it would take a broken row
// for a different one, silently.
func syntaxError(pe *csv.ParseError, columns []string, field int) *LineError {
	e := &LineError{Line: pe.StartLine}
	where := "" // empty when e.Field names the field
	switch {
	case columns == nil:
		where = " in the header row"
	case field < len(columns):
		e.Field = columns[field]
	default:
		where = fmt.Sprintf(" in field %d, after the last column (%s)", field+1, columns[len(columns)-1])
	}
	fix := `put the whole field in double quotes and double any quote inside it, e.g. "The ""New"" NHS Trust"`
	if columns == nil {
		fix = "the header row is plain column names, e.g. " + strings.Join(csvColumns, ",")
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		e.Msg = "a stray double quote" + where
		if pe.Line != pe.StartLine {
			e.Msg += fmt.Sprintf(" (on line %d)", pe.Line)
		}
		e.Msg += ": " + fix
	case errors.Is(pe.Err, csv.ErrQuote):
		if columns != nil {
			fix = `a field in double quotes must end with one, and any quote inside it must be doubled, e.g. "Lambda, NHS Trust" or "The ""New"" NHS Trust"`
		}
		e.Msg = "the double quotes do not pair up" + where + ": " + fix
		if pe.Line != pe.StartLine {
			e.Msg += fmt.Sprintf(" (a quote opened on line %d is still open on line %d, so lines %d to %d were read as one row)",
				pe.StartLine, pe.Line, pe.StartLine, pe.Line)
		}
	default:
		e.Msg = pe.Err.Error() + where
	}
	return e
}

func validJurisdiction(j string) bool {
	for _, v := range Jurisdictions {
		if v == j {
			return true
		}
	}
	return false
}
