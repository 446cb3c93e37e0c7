package web

import (
	"strings"
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

// TestOutboxWords: the letter states whose codes are not plain English
// ("sent" and "cancelled" are) read as words, not as their codes.
func TestOutboxWords(t *testing.T) {
	for _, st := range []lifecycle.OutboxState{lifecycle.OutboxDraft, lifecycle.OutboxPending, lifecycle.OutboxSending,
		lifecycle.OutboxTempFailed, lifecycle.OutboxFailed, lifecycle.OutboxInDoubt} {
		if got := outboxWords(st); got == string(st) || got == strings.ReplaceAll(string(st), "_", " ") {
			t.Errorf("outboxWords(%s) = %q, want words", st, got)
		}
	}
}
