package report

import (
	"fmt"

	"foi/lifecycle"
)

// Words shared by the board, the timeline and the pack.

func humanKind(k lifecycle.Kind) string {
	switch k {
	case lifecycle.KindLetter:
		return "request"
	case lifecycle.StepFirstChaser.Kind():
		return "first chaser"
	case lifecycle.StepFinalChaser.Kind():
		return "final chaser"
	case lifecycle.StepReviewSilence.Kind(), lifecycle.StepReviewRefusal.Kind(), lifecycle.KindReview:
		return "internal review request"
	case lifecycle.StepComplaint.Kind():
		return "complaint to the Commissioner"
	case lifecycle.KindAutoReply:
		return "automatic reply"
	case lifecycle.KindFeeNotice:
		return "fees notice"
	case lifecycle.KindIdentity:
		return "identity challenge"
	case lifecycle.KindRedirect:
		return "redirect"
	case lifecycle.KindSubstantive:
		return "an answer"
	case lifecycle.KindUnknown:
		return "a reply to read"
	}
	return string(k)
}

func humanState(s lifecycle.State) string {
	switch s {
	case lifecycle.PartiallySuccessful:
		return "partly answered"
	case lifecycle.NotHeld:
		return "information not held"
	}
	return string(s)
}

func plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	out := list[0]
	for _, s := range list[1 : len(list)-1] {
		out += ", " + s
	}
	return out + " and " + list[len(list)-1]
}
