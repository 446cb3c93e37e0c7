package report

import (
	"fmt"
	"strings"
	"time"

	"foi/calendar"
	"foi/deadline"
)

// Where and how to file, with their sources:
//
//   - England, Wales and Northern Ireland (foia, eir): FOIA s.50(1) lets any
//     requester apply to the Information Commissioner for a decision; EIR
//     reg. 18 applies s.50 to environmental information. s.50(2)(a) lets
//     the Commissioner decline a complaint until the authority's complaints
//     procedure (the internal review) is exhausted, which is why the ICO
//     usually asks for the review first. The ICO's complaint form
//     (icoForm) asks for the complaint within six weeks of the final
//     response or the last substantive contact (deadline.Result
//     ICOComplainBy), accepts one when the review has not been given after
//     40 working days, and asks for the request, the response and the
//     request for an internal review; with no response at all, for
//     evidence of trying to resolve it with the authority.
//   - Scotland (foisa, eisr): FOISA s.47(1) lets a requester dissatisfied
//     with the review, or with no answer to it, apply to the Scottish
//     Information Commissioner; EISR reg. 17 applies it. s.47(4): within six
//     months of the review's answer or of the end of the time for it
//     (deadline.Result SICAppealBy). The Commissioner's appeal form is at
//     sicForm.
const (
	icoForm = "https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/"
	sicForm = "https://www.foi.scot/appeal"
)

// howTo is what the filing instructions need to know.
type howTo struct {
	ref, title, authority string
	law                   calendar.Law
	letter                string // the letter's file name, without extension
	early                 string // the warning for a pack built too soon
	in                    deadline.Input
	d                     deadline.Result
	today                 calendar.Date
	cal                   *calendar.Calendar
	// files lists the pack's files by their part in the complaint.
	files map[role][]string
}

// role is the part a file plays in a complaint.
type role int

const (
	roleRequest role = iota
	roleChaser
	roleResponse
	roleReviewRequest
	roleReviewAnswer
	roleOther
	roleAttachment
)

func (h howTo) day(t time.Time) string { return h.cal.Date(t).Format("Mon 2 Jan 2006") }

// howToFile writes HOW-TO-FILE.txt.
func howToFile(h howTo) string {
	scot := h.law.Scottish()
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	if scot {
		w("How to apply to the Scottish Information Commissioner\n")
	} else {
		w("How to file this complaint with the Information Commissioner's Office (ICO)\n")
	}
	w("%s: %q, to %s\n\n", h.ref, h.title, h.authority)
	if h.early != "" {
		w("WARNING: %s.\nThe Commissioner is likely to turn the complaint away until then.\n\n", h.early)
	}

	w("1. When\n")
	if scot {
		w("   Apply within six months of the authority's answer to your requirement for\n   review, or of the day that answer was due if none came.\n")
		switch {
		case h.d.SICAppealBy.IsZero():
			w("   No review has been required yet, so the six months have not started.\n")
		case h.today.After(h.d.SICAppealBy):
			w("   For this request the last day was %s, which has passed: apply as soon as\n   you can and explain the delay; the Commissioner may refuse a late application.\n", h.d.SICAppealBy.Format("Mon 2 Jan 2006"))
		default:
			w("   For this request: by %s.\n", h.d.SICAppealBy.Format("Mon 2 Jan 2006"))
		}
	} else {
		w("   The ICO asks for complaints within six weeks of your last meaningful\n   contact with the authority.\n")
		if c := h.in.LastMeaningfulContact; c != nil && !h.d.ICOComplainBy.IsZero() {
			if h.in.ReviewRequested != nil && h.in.ReviewAnswered == nil {
				// deadline counts the six weeks from the day the review
				// became 20 working days overdue, when the ICO takes the
				// complaint (ICO guidance on internal reviews).
				w("   For this request the review went unanswered for the 40 working days the\n   ICO allows on %s, so file by %s.\n", h.d.ReviewVeryOverdue.Format("Mon 2 Jan 2006"), h.d.ICOComplainBy.Format("Mon 2 Jan 2006"))
			} else {
				w("   For this request that contact was on %s, so file by %s.\n", h.day(*c), h.d.ICOComplainBy.Format("Mon 2 Jan 2006"))
			}
			if h.today.After(h.d.ICOComplainBy) {
				w("   That date has passed: file as soon as you can and say why it is late;\n   the ICO may not consider a complaint made after an undue delay.\n")
			}
		}
	}

	noun, asked := reviewWords(h.law)
	w("\n2. First, the %s\n", noun)
	if scot {
		w("   The Commissioner can consider an application only after you have required\n   the authority to review its response.\n")
	} else {
		w("   The ICO usually expects you to have asked the authority for an internal\n   review before it looks at a complaint.\n")
	}
	switch {
	case h.in.ReviewRequested != nil && h.in.ReviewAnswered != nil:
		w("   You %s one on %s and it was answered on %s.\n", asked, h.day(*h.in.ReviewRequested), h.day(*h.in.ReviewAnswered))
	case h.in.ReviewRequested != nil:
		w("   You %s one on %s; it was due by %s and has not been answered.\n", asked, h.day(*h.in.ReviewRequested), h.d.ReviewDue.Format("Mon 2 Jan 2006"))
		if !scot {
			w("   The ICO accepts a complaint once 40 working days have passed without it\n   (after %s).\n", h.d.ReviewVeryOverdue.Format("Mon 2 Jan 2006"))
		}
	case h.in.ReviewAnswered != nil:
		w("   The review was answered on %s.\n", h.day(*h.in.ReviewAnswered))
	case scot:
		w("   You have not required one yet: do it first (foi reply %s --template\n   foisa_review).\n", h.ref)
	default:
		w("   You have not asked for one yet: ask for it first (foi reply %s --template\n   review_after_refusal, or review_on_silence if no response came).\n", h.ref)
	}

	w("\n3. Where\n")
	if scot {
		w("   Use the Commissioner's appeal form: %s\n", sicForm)
	} else {
		w("   Use the ICO's online complaint form: %s\n", icoForm)
	}
	w("   Paste the letter in %s.txt where the form asks what your complaint is,\n   or attach it (%s.html prints it).\n", h.letter, h.letter)

	w("\n4. What to attach\n")
	if scot {
		w("   Send a copy of your request, the authority's response, your requirement for\n   review and the review's answer, if there was one. From this pack:\n")
	} else {
		w("   The ICO asks for your request, the authority's response and your request\n   for an internal review, with its outcome if there was one. From this pack:\n")
	}
	list := func(what string, r role, none string) {
		files := h.files[r]
		if len(files) == 0 {
			if none != "" {
				w("   - %s: %s\n", what, none)
			}
			return
		}
		w("   - %s: %s\n", what, strings.Join(files, ", "))
	}
	list("your request", roleRequest, "not in the pack")
	if len(h.files[roleResponse]) == 0 {
		w("   - the authority's response: none came\n")
		list("your chasers, which show you tried to resolve it with the authority", roleChaser, "")
	} else {
		list("the authority's response", roleResponse, "")
	}
	if scot {
		list("your requirement for review", roleReviewRequest, "none was sent")
	} else {
		list("your request for an internal review", roleReviewRequest, "none was sent")
	}
	if len(h.files[roleReviewRequest]) > 0 {
		list("the outcome of the review", roleReviewAnswer, "none came")
	}
	list("what the authority sent with its replies", roleAttachment, "")
	w("   - the timeline: timeline.txt\n")
	others := h.files[roleOther]
	if len(h.files[roleResponse]) > 0 {
		others = append(append([]string{}, h.files[roleChaser]...), others...)
	}
	if len(others) > 0 {
		w("   The other messages are in the pack too, if the Commissioner asks: %s.\n", strings.Join(others, ", "))
	}

	w("\n5. Afterwards\n")
	w("   Keep the Commissioner's case reference when they write back, and record\n   that the complaint is filed: foi mark %s ico_complaint_filed\n", h.ref)
	return b.String()
}
