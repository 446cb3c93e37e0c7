package campaign

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"

	"foi/store"
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
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
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
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				problems = append(problems, &LineError{Line: pe.Line, Msg: pe.Err.Error()})
				if pe.Err != csv.ErrFieldCount {
					break
				}
				continue
			}
			return nil, err
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(field, format string, args ...any) {
			problems = append(problems, &LineError{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
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

func validJurisdiction(j string) bool {
	for _, v := range Jurisdictions {
		if v == j {
			return true
		}
	}
	return false
}
