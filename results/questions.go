package results

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"foi/store"
)

// maxQuestion bounds a question's length, in characters.
const maxQuestion = 500

// bullet is the start of an item of a list: "*", "-", "•", "1.", "1)", "(a)", "a)".
var bullet = regexp.MustCompile(`^\s*(?:[*\-•‣◦]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])\s+`)

// FromLetter takes a campaign's questions from its letter: the items of its
// first bullet or numbered list (an item's continuation lines, indented,
// are joined to it), in order. Template actions ({{...}}) are left as they
// are. A letter without a list gives none.
func FromLetter(letter string) []string {
	var out []string
	var cur strings.Builder
	inList, ended := false, false
	flush := func() {
		if s := strings.Join(strings.Fields(cur.String()), " "); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	sc := bufio.NewScanner(strings.NewReader(letter))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() && !ended {
		line := sc.Text()
		switch {
		case bullet.MatchString(line):
			if inList {
				flush()
			}
			inList = true
			cur.WriteString(bullet.ReplaceAllString(line, ""))
		case inList && strings.TrimSpace(line) != "" && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			cur.WriteString(" " + strings.TrimSpace(line))
		case inList:
			flush()
			inList, ended = false, true
		}
	}
	if inList {
		flush()
	}
	return out
}

// ParseQuestions reads questions from a file's text: one a line, a list's
// bullets or numbers dropped, blank lines and lines starting with "#"
// ignored. An item may run over indented continuation lines, as in a
// letter. Errors name the line.
func ParseQuestions(text string) ([]string, error) {
	var out []string
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("line %d: not UTF-8 text", n)
		}
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(out) > 0 && !bullet.MatchString(line) {
			out[len(out)-1] += " " + trimmed
			continue
		}
		out = append(out, strings.Join(strings.Fields(bullet.ReplaceAllString(line, "")), " "))
	}
	for i, q := range out {
		if utf8.RuneCountInString(q) > maxQuestion {
			return nil, fmt.Errorf("question %d is longer than %d characters: %.40q...", i+1, maxQuestion, q)
		}
		if q == "" {
			return nil, fmt.Errorf("question %d is empty", i+1)
		}
	}
	return out, nil
}

// ParseAnswer reads a coded answer as a volunteer types it: yes, no,
// not-held (or "not held"), refused, a number ("12", "3.5", "1,200"), or
// anything else as free text. Empty is an error.
func ParseAnswer(s string) (store.AnswerKind, string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", "", fmt.Errorf("the answer is empty: give yes, no, not-held, refused, a number or some text")
	}
	if !utf8.ValidString(t) {
		return "", "", fmt.Errorf("the answer is not UTF-8 text")
	}
	switch strings.ToLower(strings.NewReplacer("-", " ", "_", " ").Replace(t)) {
	case "yes", "y":
		return store.AnswerYes, "", nil
	case "no", "n":
		return store.AnswerNo, "", nil
	case "not held", "notheld", "not_held":
		return store.AnswerNotHeld, "", nil
	case "refused", "withheld":
		return store.AnswerRefused, "", nil
	}
	if n := strings.ReplaceAll(t, ",", ""); number.MatchString(n) {
		if _, err := strconv.ParseFloat(n, 64); err == nil {
			return store.AnswerNumber, n, nil
		}
	}
	return store.AnswerText, t, nil
}

var number = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

// Words is a coded answer as a table shows it: "yes", "no", "not held",
// "refused", the number, or the text.
func Words(a store.Answer) string {
	switch a.Kind {
	case store.AnswerNotHeld:
		return "not held"
	case store.AnswerNumber, store.AnswerText:
		return a.Value
	}
	return string(a.Kind)
}

// ParseQuestionRef reads which question is meant: "2", "Q2" or "q2".
func ParseQuestionRef(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "Q"), "q"))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a question number: give 1, 2, ... or Q1, Q2, ...", s)
	}
	return n, nil
}
