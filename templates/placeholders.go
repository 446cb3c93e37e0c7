package templates

import "strings"

// A placeholder is a line of a letter that a person must write before the
// letter can go. The letters mark it in square brackets with what goes
// there: "[GROUNDS: ...]" (why a refusal is wrong, review_after_refusal.txt)
// or "[CLARIFICATION: ...]" (what the request means, clarification.txt).
type Placeholder struct {
	// Line is the line of the body it is on, from 1.
	Line int
	// Mark is what must be written: "GROUNDS" or "CLARIFICATION".
	Mark string
	// Text is the line as it stands, the instruction included.
	Text string
}

// placeholderMarks are the marks the letters use.
var placeholderMarks = []string{"GROUNDS", "CLARIFICATION"}

// Placeholders lists the placeholders left in a letter's body, in order.
func Placeholders(body string) []Placeholder {
	var list []Placeholder
	for i, line := range strings.Split(body, "\n") {
		for _, m := range placeholderMarks {
			if strings.Contains(line, "["+m+":") {
				list = append(list, Placeholder{Line: i + 1, Mark: m, Text: strings.TrimSpace(line)})
				break
			}
		}
	}
	return list
}

// HasPlaceholder reports whether a placeholder with the mark is left in the
// body ("GROUNDS", "CLARIFICATION"; "" for any).
func HasPlaceholder(body, mark string) bool {
	for _, p := range Placeholders(body) {
		if mark == "" || p.Mark == mark {
			return true
		}
	}
	return false
}

// FillPlaceholders puts text in place of every line that is a placeholder
// and nothing else.
func FillPlaceholders(body, text string) string {
	lines := strings.Split(body, "\n")
	for i, line := range lines {
		t := strings.TrimSpace(line)
		for _, m := range placeholderMarks {
			if strings.HasPrefix(t, "["+m+":") {
				lines[i] = strings.TrimSpace(text)
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}
