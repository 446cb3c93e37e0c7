package web

import (
	"testing"

	"foi/lifecycle"
)

// TestPillWords: the board's label names the outcome, so a not-held answer
// does not read "Answered" and a partial one does not read "Refused".
func TestPillWords(t *testing.T) {
	for _, tc := range []struct {
		phase string
		st    lifecycle.State
		want  string
	}{
		{"answered", lifecycle.Successful, phaseWords("answered")},
		{"answered", lifecycle.NotHeld, "Not held"},
		{"refused", lifecycle.PartiallySuccessful, "Partly answered"},
		{"refused", lifecycle.Refused, "Refused"},
		{"overdue", lifecycle.Sent, phaseWords("overdue")},
	} {
		if got := pillWords(tc.phase, tc.st); got != tc.want {
			t.Errorf("pillWords(%s, %s) = %q, want %q", tc.phase, tc.st, got, tc.want)
		}
	}
}
